//! Numbers as Danes write them: `1.234.567`, `12,5 %`. The one formatter
//! is `komhen_core::reports::tabular`'s, so a page writes a figure exactly as its
//! download and the period report do.

/// An integer with `.` between thousands.
pub(crate) fn number(value: i64) -> String {
    komhen_core::reports::tabular::thousands(value)
}

/// A table's rows as a page shows them: each cell as text, a text cell in
/// the request's language where the catalogue knows it (a status, a
/// group), "–" where there is no value.
pub(crate) fn rows_text(table: &komhen_core::reports::tabular::Table) -> Vec<Vec<String>> {
    use komhen_core::reports::tabular::Cell;
    table
        .rows
        .iter()
        .map(|row| {
            row.iter()
                .map(|c| match c {
                    Cell::Empty => "–".into(),
                    Cell::Text(text) => crate::i18n::message(text),
                    c => c.display_da(),
                })
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn thousands_are_separated_by_dots() {
        assert_eq!(super::number(0), "0");
        assert_eq!(super::number(999), "999");
        assert_eq!(super::number(1_000), "1.000");
        assert_eq!(super::number(5_822_679), "5.822.679");
        assert_eq!(super::number(-12_345), "-12.345");
    }
}
