//! The national reference data as values: municipalities, code lists, the KLE
//! catalogue, task packages and optional parameters. `ingest` reads them from
//! the shipped files; the store loads them.

use crate::{
    ChannelCode, Completion, Direction, InquiryType, KleNumber, Medium, MunicipalityCode,
    RegionCode, Season, TaskCodeKind,
};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReferenceData {
    pub regions: Vec<Region>,
    pub municipalities: Vec<Municipality>,
    pub populations: Vec<Population>,
    pub channels: Vec<Channel>,
    pub inquiry_types: Vec<InquiryTypeLabel>,
    pub completions: Vec<CompletionLabel>,
    pub kle: Vec<KleEntry>,
    pub task_packages: Vec<TaskPackage>,
    pub optional_parameters: Vec<OptionalParameter>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Region {
    pub code: RegionCode,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Municipality {
    pub code: MunicipalityCode,
    pub name: String,
    pub region: RegionCode,
    pub landsdel: String,
    pub iso_3166_2: String,
}

/// Population on 1 January of a year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Population {
    pub municipality: MunicipalityCode,
    pub year: i32,
    pub population: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Channel {
    pub code: ChannelCode,
    pub label_da: String,
    pub label_en: String,
    pub medium: Medium,
    pub direction: Direction,
    pub form_applicable: bool,
    pub digital: bool,
    pub sort_order: i32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InquiryTypeLabel {
    pub inquiry_type: InquiryType,
    pub label_da: String,
    pub label_en: String,
    pub sort_order: i32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompletionLabel {
    pub completion: Completion,
    pub label_da: String,
    pub label_en: String,
    pub sort_order: i32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KleEntry {
    pub number: KleNumber,
    pub level: TaskCodeKind,
    pub title: String,
    pub parent: Option<KleNumber>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskPackage {
    pub code: String,
    pub name_da: String,
    pub name_en: String,
    pub season: Season,
    pub year: i32,
    pub description_da: String,
    pub tasks: Vec<PackageTask>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageTask {
    pub kle: KleNumber,
    pub name: String,
    pub mandatory: bool,
}

/// How a question is answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnswerKind {
    Choice,
    Text,
    Number,
}

impl AnswerKind {
    pub fn code(self) -> &'static str {
        match self {
            Self::Choice => "choice",
            Self::Text => "text",
            Self::Number => "number",
        }
    }

    pub fn parse(value: &str) -> Result<Self, crate::ParseError> {
        match value.trim() {
            "choice" => Ok(Self::Choice),
            "text" => Ok(Self::Text),
            "number" => Ok(Self::Number),
            _ => Err(crate::ParseError::new(
                dl!("svartype"),
                value,
                dl!("forventede choice, text eller number"),
            )),
        }
    }
}

/// One of the method's optional parameters, switched on per unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OptionalParameter {
    pub code: String,
    pub answer_kind: AnswerKind,
    pub label_da: String,
    pub label_en: String,
    pub sort_order: i32,
    pub options: Vec<AnswerOption>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerOption {
    pub code: String,
    pub label_da: String,
    pub label_en: String,
    pub sort_order: i32,
}
