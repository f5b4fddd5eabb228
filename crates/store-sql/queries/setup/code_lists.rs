// Set-up changes: The national code lists: channels, inquiry types, completions.

use super::*;

impl Store {
    pub(super) async fn apply_code_lists(
        tx: &mut Tx<'_>,
        change: &SetupChange,
    ) -> StoreResult<Applied> {
        use SetupChange::*;
        match change {
            UpsertChannel { channel: c, active } => {
                sqlx::query(
                    "INSERT INTO channels (code, label_da, label_en, medium, direction, \
                     form_applicable, digital, sort_order, active) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
                     ON CONFLICT (code) DO UPDATE SET label_da = excluded.label_da, \
                     label_en = excluded.label_en, form_applicable = excluded.form_applicable, \
                     digital = excluded.digital, sort_order = excluded.sort_order, \
                     active = excluded.active",
                )
                .bind(c.code.as_str())
                .bind(&c.label_da)
                .bind(&c.label_en)
                .bind(c.medium.code())
                .bind(c.direction.code())
                .bind(c.form_applicable)
                .bind(c.digital)
                .bind(c.sort_order)
                .bind(active)
                .execute(&mut **tx)
                .await
                .map_err(db_err)?;
                Ok(Applied { id: None, count: 1 })
            }
            SetInquiryTypeLabels {
                inquiry_type,
                label_da,
                label_en,
            } => {
                let done = sqlx::query(
                    "UPDATE inquiry_types SET label_da = $2, label_en = $3 WHERE code = $1",
                )
                .bind(inquiry_type.code())
                .bind(label_da)
                .bind(label_en)
                .execute(&mut **tx)
                .await
                .map_err(db_err)?;
                touched(done, format!("henvendelsestype {}", inquiry_type.code()))
            }
            SetCompletionLabels {
                completion,
                label_da,
                label_en,
            } => {
                let done = sqlx::query(
                    "UPDATE completions SET label_da = $2, label_en = $3 WHERE code = $1",
                )
                .bind(completion.code())
                .bind(label_da)
                .bind(label_en)
                .execute(&mut **tx)
                .await
                .map_err(db_err)?;
                touched(done, format!("afslutning {}", completion.code()))
            }
            other => Err(misrouted(other)),
        }
    }
}
