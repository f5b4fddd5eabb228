// The outbox: mails stored once by their key, taken by one sender at a
// time, and marked sent or failed.

use super::*;
use komhen_store::{MailOutcome, MailRow, NewMail};

const MAIL_COLUMNS: &str = "id, mail_key, kind, municipality_code, recipient, subject, body, \
     created_at, claimed_at, sent_at, attempts, last_error, given_up_at, redacted";

fn mail_row(row: &DbRow) -> StoreResult<MailRow> {
    let municipality: Option<i32> = get(row, "municipality_code")?;
    Ok(MailRow {
        id: get(row, "id")?,
        key: get(row, "mail_key")?,
        kind: get(row, "kind")?,
        municipality: municipality.map(municipality_from).transpose()?,
        recipient: get(row, "recipient")?,
        subject: get(row, "subject")?,
        body: get(row, "body")?,
        created_at: get(row, "created_at")?,
        claimed_at: get(row, "claimed_at")?,
        sent_at: get(row, "sent_at")?,
        attempts: get(row, "attempts")?,
        last_error: get(row, "last_error")?,
        given_up_at: get(row, "given_up_at")?,
        redacted: get(row, "redacted")?,
    })
}

impl Store {
    pub(super) async fn enqueue_mail(&self, mail: &NewMail) -> StoreResult<Option<i64>> {
        let row = sqlx::query(
            "INSERT INTO outbox (mail_key, kind, municipality_code, recipient, subject, body, \
             created_at, redacted) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (mail_key) DO NOTHING RETURNING id",
        )
        .bind(&mail.key)
        .bind(&mail.kind)
        .bind(mail.municipality.map(code_of))
        .bind(&mail.recipient)
        .bind(&mail.subject)
        .bind(&mail.body)
        .bind(mail.created_at)
        .bind(mail.redacted)
        .fetch_optional(&self.writer)
        .await
        .map_err(db_err)?;
        row.map(|r| get(&r, "id")).transpose()
    }

    pub(super) async fn list_mails(
        &self,
        municipality: Option<MunicipalityCode>,
        limit: i64,
    ) -> StoreResult<Vec<MailRow>> {
        let rows = sqlx::query(&format!(
            "SELECT {MAIL_COLUMNS} FROM outbox WHERE ($1 IS NULL OR municipality_code = $1) \
             ORDER BY created_at DESC, id DESC LIMIT $2"
        ))
        .bind(municipality.map(code_of))
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        rows.iter().map(mail_row).collect()
    }

    pub(super) async fn pending_mails(
        &self,
        max_attempts: i64,
        stale_before: DateTime<Utc>,
        limit: i64,
    ) -> StoreResult<Vec<MailRow>> {
        let rows = sqlx::query(&format!(
            "SELECT {MAIL_COLUMNS} FROM outbox WHERE sent_at IS NULL AND given_up_at IS NULL AND NOT redacted \
             AND attempts < $1 \
             AND (claimed_at IS NULL OR claimed_at < $2) ORDER BY created_at, id LIMIT $3"
        ))
        .bind(max_attempts)
        .bind(stale_before)
        .bind(limit)
        .fetch_all(&self.writer)
        .await
        .map_err(db_err)?;
        rows.iter().map(mail_row).collect()
    }

    pub(super) async fn claim_mail(
        &self,
        id: i64,
        at: DateTime<Utc>,
        stale_before: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE outbox SET claimed_at = $2, attempts = attempts + 1 \
             WHERE id = $1 AND sent_at IS NULL AND (claimed_at IS NULL OR claimed_at < $3)",
        )
        .bind(id)
        .bind(at)
        .bind(stale_before)
        .execute(&self.writer)
        .await
        .map_err(db_err)?;
        Ok(done.rows_affected() == 1)
    }

    pub(super) async fn finish_mail(&self, id: i64, outcome: &MailOutcome) -> StoreResult<()> {
        let query = match outcome {
            MailOutcome::Sent(at) => {
                sqlx::query("UPDATE outbox SET sent_at = $2, last_error = NULL WHERE id = $1")
                    .bind(id)
                    .bind(*at)
            }
            // A failed send frees the mail for the next try.
            MailOutcome::Failed(error) => {
                sqlx::query("UPDATE outbox SET claimed_at = NULL, last_error = $2 WHERE id = $1")
                    .bind(id)
                    .bind(error.as_str())
            }
            MailOutcome::GivenUp(at, error) => {
                sqlx::query("UPDATE outbox SET given_up_at = $2, last_error = $3 WHERE id = $1")
                    .bind(id)
                    .bind(*at)
                    .bind(error.as_str())
            }
        };
        query.execute(&self.writer).await.map_err(db_err)?;
        Ok(())
    }
}
