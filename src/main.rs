//! Mounts [`app_passwords::App`] on the page's body.

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app_passwords::App);
}
