-- The services an app password opens (`POST /app-passwords` `services`):
-- NULL for every service, else the names joined by commas ("caldav,carddav").
-- Commas, not JSON: a service name is a lowercase letter, then letters,
-- digits or dashes (`is_service_name`), so it never holds a comma, `%` or
-- `_`, and `/verify` matches a name with the same `LIKE` on either engine,
-- inside the very lookup that finds the password by its digest: a password
-- used through a service it does not open is not found, exactly as a wrong
-- one is not.
ALTER TABLE app_passwords ADD COLUMN services TEXT;
