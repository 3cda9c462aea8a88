//! How the list is ordered (by a column, one way or the other, the expired
//! last), and where the focus goes once it has rendered again: a model
//! with no view, so that it is tested natively.

use crate::api::AppPassword;
use crate::expiry;
use crate::i18n::keys;

use super::{CREATE_ID, TITLE_ID};

/// Where the focus goes once the list has rendered again (the button that
/// had it is gone with the list it was in).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum FocusNext {
    /// Leave it where it is.
    #[default]
    Stay,
    /// To Create (or, when it cannot take it, the tab's heading).
    Create,
    /// To this app password's Rename.
    Item(String),
    /// To the row that took row `0`'s place, else the one before it.
    Row(usize),
    /// To the header of this column.
    Sort(SortKey),
}

impl FocusNext {
    /// The ids to try, in order, in a list shown as `rows`.
    pub(super) fn ids(&self, rows: &[AppPassword]) -> Vec<String> {
        match self {
            Self::Stay => Vec::new(),
            Self::Sort(key) => vec![key.id().to_owned()],
            Self::Create | Self::Item(_) | Self::Row(_) => self
                .rows(rows)
                .into_iter()
                .map(|row| RowButton::Rename.id(row))
                .chain([CREATE_ID.to_owned(), TITLE_ID.to_owned()])
                .collect(),
        }
    }

    /// The rows of `rows` whose Rename to try, in order.
    pub(super) fn rows(&self, rows: &[AppPassword]) -> Vec<usize> {
        match self {
            Self::Stay | Self::Sort(_) | Self::Create => Vec::new(),
            Self::Item(id) => rows
                .iter()
                .position(|item| &item.id == id)
                .into_iter()
                .collect(),
            Self::Row(row) => [Some(*row), row.checked_sub(1)]
                .into_iter()
                .flatten()
                .collect(),
        }
    }
}

/// A column the list can be sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    /// The name, A to Z.
    Name,
    /// When it was made.
    Created,
    /// When it was last used.
    LastUsed,
    /// When it expires.
    Expires,
}

impl SortKey {
    /// The id of the column's sort button.
    pub(super) const fn id(self) -> &'static str {
        match self {
            Self::Name => "sort-name",
            Self::Created => "sort-created",
            Self::LastUsed => "sort-last-used",
            Self::Expires => "sort-expires",
        }
    }

    pub(super) const fn label(self) -> &'static str {
        match self {
            Self::Name => keys::COMMON_NAME,
            Self::Created => keys::LIST_COL_CREATED,
            Self::LastUsed => keys::LIST_COL_LAST_USED,
            Self::Expires => keys::LIST_COL_EXPIRES,
        }
    }
}

/// How the list is ordered: by a column, one way or the other. Expired app
/// passwords come after the others, together, whatever the order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListOrder {
    /// The column.
    pub key: SortKey,
    /// Z to A, newest first.
    pub descending: bool,
}

impl Default for ListOrder {
    /// Newest first.
    fn default() -> Self {
        Self {
            key: SortKey::Created,
            descending: true,
        }
    }
}

impl ListOrder {
    /// The order after the user picks the column `key`: the other way round
    /// when it is already the one; names A to Z, dates newest first.
    pub(super) fn picked(self, key: SortKey) -> Self {
        Self {
            key,
            descending: if self.key == key {
                !self.descending
            } else {
                key != SortKey::Name
            },
        }
    }

    /// `items` whose name holds `filter` (any case), in this order.
    pub fn apply(self, items: &[AppPassword], filter: &str, now: f64) -> Vec<AppPassword> {
        let filter = filter.trim().to_lowercase();
        // The backend lists oldest first; its order breaks ties (two made in
        // the same second), turned round with the rest.
        let mut rows: Vec<(bool, String, usize, &AppPassword)> = items
            .iter()
            .enumerate()
            .filter(|(_, item)| filter.is_empty() || item.name.to_lowercase().contains(&filter))
            .map(|(index, item)| {
                (
                    expiry::is_expired(item, now),
                    self.sort_text(item),
                    index,
                    item,
                )
            })
            .collect();
        rows.sort_by(|a, b| {
            let (a_key, b_key) = ((&a.1, a.2), (&b.1, b.2));
            let by_key = if self.descending {
                b_key.cmp(&a_key)
            } else {
                a_key.cmp(&b_key)
            };
            a.0.cmp(&b.0).then(by_key)
        });
        rows.into_iter()
            .map(|(_, _, _, item)| item.clone())
            .collect()
    }

    /// What `item` sorts by: names regardless of case; timestamps as they
    /// come (RFC 3339 in UTC sorts as text), with no date sorting as the
    /// farthest future.
    fn sort_text(self, item: &AppPassword) -> String {
        match self.key {
            SortKey::Name => item.name.to_lowercase(),
            SortKey::Created => item.created_at.clone(),
            SortKey::LastUsed => item.last_used_at.clone().unwrap_or_default(),
            SortKey::Expires => item.expires_at.clone().unwrap_or_else(|| "~".to_owned()),
        }
    }
}

/// The buttons of each row. Their ids carry the row's index (`rename-3`),
/// which is how one listener on the list knows which row was clicked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum RowButton {
    Rename,
    Delete,
}

impl RowButton {
    const fn prefix(self) -> &'static str {
        match self {
            Self::Rename => "rename-",
            Self::Delete => "delete-",
        }
    }

    /// The id of this button in row `row`.
    pub(super) fn id(self, row: usize) -> String {
        // One argument to format, not two: a thousand rows make two
        // thousand of these.
        match self {
            Self::Rename => format!("rename-{row}"),
            Self::Delete => format!("delete-{row}"),
        }
    }

    /// The button and row an id names.
    pub(super) fn of_id(id: &str) -> Option<(Self, usize)> {
        [Self::Rename, Self::Delete].into_iter().find_map(|button| {
            let row = id.strip_prefix(button.prefix())?.parse().ok()?;
            Some((button, row))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::api::test_item as item;

    fn names(rows: &[AppPassword]) -> Vec<&str> {
        rows.iter().map(|row| row.name.as_str()).collect()
    }

    #[test]
    fn a_row_buttons_id_names_its_button_and_row() {
        for button in [RowButton::Rename, RowButton::Delete] {
            for row in [0, 7, 999] {
                assert_eq!(RowButton::of_id(&button.id(row)), Some((button, row)));
            }
        }
        assert_eq!(RowButton::of_id("rename-x"), None);
        assert_eq!(RowButton::of_id(CREATE_ID), None);
    }

    #[test]
    fn focus_after_a_change_goes_to_the_row_then_create_then_the_heading() {
        let rows = [
            item("a", "A", "2026-01-01T00:00:00Z"),
            item("b", "B", "2026-01-02T00:00:00Z"),
        ];
        assert_eq!(
            FocusNext::Row(3).ids(&rows),
            ["rename-3", "rename-2", CREATE_ID, TITLE_ID]
        );
        assert_eq!(
            FocusNext::Row(0).ids(&rows),
            ["rename-0", CREATE_ID, TITLE_ID]
        );
        assert_eq!(
            FocusNext::Item("b".into()).ids(&rows),
            ["rename-1", CREATE_ID, TITLE_ID]
        );
        assert_eq!(FocusNext::Create.ids(&rows), [CREATE_ID, TITLE_ID]);
        assert_eq!(FocusNext::Sort(SortKey::Name).ids(&rows), ["sort-name"]);
        assert!(FocusNext::Stay.ids(&rows).is_empty());
    }

    #[test]
    fn picking_a_column_sorts_by_it_then_turns_it_round() {
        let newest = ListOrder::default();
        assert_eq!(
            newest.picked(SortKey::Name),
            ListOrder {
                key: SortKey::Name,
                descending: false
            }
        );
        assert_eq!(
            newest.picked(SortKey::Created),
            ListOrder {
                key: SortKey::Created,
                descending: false
            }
        );
        assert_eq!(
            newest.picked(SortKey::LastUsed),
            ListOrder {
                key: SortKey::LastUsed,
                descending: true
            }
        );
    }

    // Whether one has expired is read by the browser's date parser, so
    // "the expired come last" is checked in Chromium (tests/expiry.rs).
    #[test]
    fn columns_sort_both_ways_and_ties_keep_the_backends_order() {
        let items = [
            item("a", "beta", "2026-01-01T00:00:00Z"),
            item("b", "Alpha", "2026-03-01T00:00:00Z"),
            item("c", "gamma", "2026-03-01T00:00:00Z"),
        ];
        let newest = ListOrder::default();
        assert_eq!(
            names(&newest.apply(&items, "", 0.0)),
            ["gamma", "Alpha", "beta"]
        );
        let oldest = newest.picked(SortKey::Created);
        assert_eq!(
            names(&oldest.apply(&items, "", 0.0)),
            ["beta", "Alpha", "gamma"]
        );
        let by_name = newest.picked(SortKey::Name);
        assert_eq!(
            names(&by_name.apply(&items, "", 0.0)),
            ["Alpha", "beta", "gamma"]
        );
        assert_eq!(
            names(&by_name.picked(SortKey::Name).apply(&items, "", 0.0)),
            ["gamma", "beta", "Alpha"]
        );
    }

    #[test]
    fn the_filter_matches_any_part_of_the_name_in_any_case() {
        let items = [
            item("a", "Outlook on my laptop", "2026-01-01T00:00:00Z"),
            item("b", "Phone", "2026-01-02T00:00:00Z"),
        ];
        let order = ListOrder::default();
        assert_eq!(
            names(&order.apply(&items, "  LAPTOP ", 0.0)),
            ["Outlook on my laptop"]
        );
        assert_eq!(names(&order.apply(&items, "", 0.0)).len(), 2);
        assert!(order.apply(&items, "tablet", 0.0).is_empty());
    }
}
