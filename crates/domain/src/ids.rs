//! Typed ids, so a unit id can never be passed where a task id is meant.

macro_rules! typed_id {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    )*};
}

typed_id!(
    /// A department (forvaltning) of one municipality.
    DepartmentId,
    /// A unit (enhed): registers inquiries under one shared login.
    UnitId,
    /// A personal user account.
    UserId,
    /// A task, national or a municipality's own.
    TaskId,
    /// A task package (the catalogue of one counting season).
    TaskPackageId,
    /// A question: an optional parameter or a task's extra question.
    QuestionId,
    /// One answer option of a question.
    QuestionOptionId,
    /// A counting period.
    PeriodId,
    /// One registration (one inquiry, or a counted row with a quantity).
    RegistrationId,
    /// One import batch: a file, an API batch, a central load or the demo.
    BatchId,
    /// One total count entry.
    TotalCountId,
    /// A system's bearer token for the JSON API (its row, never the token).
    SystemTokenId,
    /// One rule of a municipality's phone-system mapping (which calls are
    /// incoming, which outgoing).
    CdrRuleId,
    /// One price of a channel (national or a municipality's own).
    ChannelPriceId,
    /// A saved scenario of the savings simulator.
    ScenarioId,
    /// A channel-strategy target of a municipality.
    TargetId,
    /// A channel-strategy initiative of a municipality.
    InitiativeId,
    /// A joint phone hotline run by several municipalities.
    HotlineId,
    /// One staffed shift on a hotline's roster.
    ShiftId,
    /// One issued cost-sharing statement of a hotline member.
    StatementId,
    /// One imported file of a hotline's calls.
    CallBatchId,
    /// A questionnaire of a national period (the coordinators' or the
    /// units' evaluation of the counting weeks).
    QuestionnaireId,
    /// One question of a questionnaire.
    QuestionnaireQuestionId,
);
