//! The national code lists: channels, inquiry types and completions, with their labels.

use super::*;

pub(crate) struct ChannelView {
    pub(crate) code: String,
    pub(crate) label_da: String,
    pub(crate) label_en: String,
    pub(crate) medium: &'static str,
    pub(crate) direction: &'static str,
    pub(crate) form_applicable: bool,
    pub(crate) digital: bool,
    pub(crate) sort_order: i32,
    pub(crate) active: bool,
}

pub(crate) struct LabelView {
    pub(crate) code: &'static str,
    pub(crate) label_da: String,
    pub(crate) label_en: String,
}

#[derive(Template)]
#[template(path = "admin_codes.html")]
pub(super) struct CodesPage {
    pub(super) frame: Frame,
    pub(super) channels: Vec<ChannelView>,
    pub(super) types: Vec<LabelView>,
    pub(super) completions: Vec<LabelView>,
    pub(super) media: Vec<Choice>,
}

pub(super) async fn codes_page(
    state: &AppState,
    auth: &Authorized,
    notice: Option<String>,
    error: Option<String>,
) -> Result<Html<String>, WebError> {
    let store = state.store.as_ref();
    let page = CodesPage {
        frame: Frame::admin(auth, crate::t("Kodelister"), "/kodelister")
            .notice(notice)
            .error(error),
        channels: store
            .list_channels()
            .await?
            .into_iter()
            .map(|c| ChannelView {
                code: c.code.to_string(),
                label_da: c.label_da,
                label_en: c.label_en,
                medium: c.medium.code(),
                direction: c.direction.code(),
                form_applicable: c.form_applicable,
                digital: c.digital,
                sort_order: c.sort_order,
                active: c.active,
            })
            .collect(),
        types: store
            .list_inquiry_types()
            .await?
            .into_iter()
            .map(|t| LabelView {
                code: t.inquiry_type.code(),
                label_da: t.label_da,
                label_en: t.label_en,
            })
            .collect(),
        completions: store
            .list_completions()
            .await?
            .into_iter()
            .map(|c| LabelView {
                code: c.completion.code(),
                label_da: c.label_da,
                label_en: c.label_en,
            })
            .collect(),
        media: komhen_domain::Medium::ALL
            .iter()
            .map(|m| Choice {
                value: m.code().into(),
                label: m.code().into(),
                selected: false,
            })
            .collect(),
    };
    Ok(Html(page.render()?))
}

/// `GET /admin/kodelister`
pub(crate) async fn show_codes(
    State(state): State<AppState>,
    auth: Authorized,
    Query(query): Query<NoticeQuery>,
) -> PageResult {
    Ok(codes_page(&state, &auth, query.text(), None)
        .await?
        .into_response())
}

/// A channel of the code list, new or changed.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct ChannelForm {
    pub(super) code: String,
    pub(super) label_da: String,
    pub(super) label_en: String,
    pub(super) medium: String,
    pub(super) direction: String,
    #[serde(deserialize_with = "forms::checkbox")]
    pub(super) form_applicable: bool,
    #[serde(deserialize_with = "forms::checkbox")]
    pub(super) digital: bool,
    pub(super) sort_order: String,
    #[serde(deserialize_with = "forms::checkbox")]
    pub(super) active: bool,
}

/// `POST /admin/kodelister/kanaler`: a new channel or changes to one.
pub(crate) async fn save_channel(
    State(state): State<AppState>,
    auth: Authorized,
    Form(form): Form<ChannelForm>,
) -> PageResult {
    let input = ChannelInput {
        sort_order: form.sort_order.trim().parse().unwrap_or(999),
        code: form.code,
        label_da: form.label_da,
        label_en: form.label_en,
        medium: form.medium,
        direction: form.direction,
        form_applicable: form.form_applicable,
        digital: form.digital,
        active: form.active,
    };
    let outcome = catalogue::save_channel(state.store.as_ref(), &auth.user.actor(), &input).await;
    after_change(outcome, "/admin/kodelister", "gemt", |e| {
        codes_page(&state, &auth, None, Some(e))
    })
    .await
}

/// A code's Danish and English labels.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct LabelsForm {
    pub(super) label_da: String,
    pub(super) label_en: String,
}

/// `POST /admin/kodelister/henvendelsestyper/{henvendelsestype}`
pub(crate) async fn save_inquiry_type(
    State(state): State<AppState>,
    auth: Authorized,
    Path(code): Path<String>,
    Form(form): Form<LabelsForm>,
) -> PageResult {
    let outcome = match InquiryType::parse(&code) {
        Ok(t) => {
            catalogue::set_inquiry_type_labels(
                state.store.as_ref(),
                &auth.user.actor(),
                t,
                &form.label_da,
                &form.label_en,
            )
            .await
        }
        Err(_) => return Err(WebError::NotFound),
    };
    after_change(outcome, "/admin/kodelister", "gemt", |e| {
        codes_page(&state, &auth, None, Some(e))
    })
    .await
}

/// `POST /admin/kodelister/afslutninger/{afslutning}`
pub(crate) async fn save_completion(
    State(state): State<AppState>,
    auth: Authorized,
    Path(code): Path<String>,
    Form(form): Form<LabelsForm>,
) -> PageResult {
    let outcome = match Completion::parse(&code) {
        Ok(c) => {
            catalogue::set_completion_labels(
                state.store.as_ref(),
                &auth.user.actor(),
                c,
                &form.label_da,
                &form.label_en,
            )
            .await
        }
        Err(_) => return Err(WebError::NotFound),
    };
    after_change(outcome, "/admin/kodelister", "gemt", |e| {
        codes_page(&state, &auth, None, Some(e))
    })
    .await
}
