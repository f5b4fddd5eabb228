//! Readers for the reference data shipped in `data/` (see `data/SOURCES.md`
//! for each file's origin). Each takes the file's bytes and returns domain
//! values or every problem found.

use crate::table::Table;
use crate::{IngestError, Problem};
use komhen_domain::reference::*;
use komhen_domain::{
    da, dl, ChannelCode, Completion, Direction, InquiryType, KleNumber, Medium, MunicipalityCode,
    RegionCode, Season, TaskCodeKind,
};
use std::collections::BTreeMap;

/// The content of `municipalities/kommuner.csv`.
pub type MunicipalityFile = (Vec<Region>, Vec<Municipality>, Vec<Population>);

/// `municipalities/kommuner.csv`: regions, municipalities and population per year.
pub fn municipalities(bytes: &[u8]) -> Result<MunicipalityFile, IngestError> {
    let table = Table::read(
        "kommuner.csv",
        bytes,
        &[
            "kommunekode",
            "navn",
            "regionskode",
            "region",
            "landsdel",
            "iso_3166_2",
        ],
    )?;
    let mut problems = Vec::new();
    let mut regions = BTreeMap::new();
    let mut municipalities = Vec::new();
    let mut populations = Vec::new();
    for row in table.rows() {
        let code = row.parse("kommunekode", MunicipalityCode::parse, &mut problems);
        let region = row.parse("regionskode", RegionCode::parse, &mut problems);
        let name = row.required("navn", &mut problems);
        let region_name = row.required("region", &mut problems);
        if let (Some(region), Some(region_name)) = (region, region_name) {
            regions.entry(region).or_insert(region_name);
        }
        if let (Some(code), Some(region), Some(name)) = (code, region, name) {
            municipalities.push(Municipality {
                code,
                name,
                region,
                landsdel: row.get("landsdel").to_owned(),
                iso_3166_2: row.get("iso_3166_2").to_owned(),
            });
            for header in row.headers() {
                let Some(year) = header.strip_prefix("folketal_") else {
                    continue;
                };
                let Ok(year) = year.parse::<i32>() else {
                    continue;
                };
                if row.get(header).is_empty() {
                    continue;
                }
                if let Some(population) = row.number::<i64>(header, &mut problems) {
                    populations.push(Population {
                        municipality: code,
                        year,
                        population,
                    });
                }
            }
        }
    }
    let regions = regions
        .into_iter()
        .map(|(code, name)| Region { code, name })
        .collect();
    table.finish((regions, municipalities, populations), problems)
}

/// `kle/kle_emneplan_2013.csv`: `nummer;niveau;titel;overordnet`.
pub fn kle_catalogue(bytes: &[u8]) -> Result<Vec<KleEntry>, IngestError> {
    let table = Table::read(
        "kle_emneplan.csv",
        bytes,
        &["nummer", "niveau", "titel", "overordnet"],
    )?;
    let mut problems = Vec::new();
    let mut entries = Vec::new();
    for row in table.rows() {
        let number = row.parse("nummer", KleNumber::parse, &mut problems);
        let level = row.parse("niveau", TaskCodeKind::parse, &mut problems);
        let title = row.required("titel", &mut problems);
        let parent = match row.get("overordnet") {
            "" => None,
            p => row.parse("overordnet", |_| KleNumber::parse(p), &mut problems),
        };
        if let (Some(number), Some(level), Some(title)) = (number, level, title) {
            if number.level() != level {
                problems
                    .push(row.problem("niveau", da!("{number} er ikke et {}", level.label_da())));
                continue;
            }
            entries.push(KleEntry {
                number,
                level,
                title,
                parent,
            });
        }
    }
    table.finish(entries, problems)
}

/// `codes/channels.csv`.
pub fn channels(bytes: &[u8]) -> Result<Vec<Channel>, IngestError> {
    let table = Table::read(
        "channels.csv",
        bytes,
        &[
            "code",
            "label_da",
            "label_en",
            "medium",
            "direction",
            "form_applicable",
            "digital",
            "sort_order",
        ],
    )?;
    let mut problems = Vec::new();
    let mut channels = Vec::new();
    for row in table.rows() {
        let fields = (
            row.parse("code", ChannelCode::parse, &mut problems),
            row.required("label_da", &mut problems),
            row.required("label_en", &mut problems),
            row.parse("medium", Medium::parse, &mut problems),
            row.parse("direction", Direction::parse, &mut problems),
            row.flag("form_applicable", &mut problems),
            row.flag("digital", &mut problems),
            row.number("sort_order", &mut problems),
        );
        if let (
            Some(code),
            Some(label_da),
            Some(label_en),
            Some(medium),
            Some(direction),
            Some(form_applicable),
            Some(digital),
            Some(sort_order),
        ) = fields
        {
            channels.push(Channel {
                code,
                label_da,
                label_en,
                medium,
                direction,
                form_applicable,
                digital,
                sort_order,
            });
        }
    }
    table.finish(channels, problems)
}

/// `codes/inquiry_types.csv`; the category must agree with the method's.
pub fn inquiry_types(bytes: &[u8]) -> Result<Vec<InquiryTypeLabel>, IngestError> {
    let table = Table::read(
        "inquiry_types.csv",
        bytes,
        &["code", "label_da", "label_en", "category", "sort_order"],
    )?;
    let mut problems = Vec::new();
    let mut types = Vec::new();
    for row in table.rows() {
        let inquiry_type = row.parse("code", InquiryType::parse, &mut problems);
        let category = row.parse(
            "category",
            komhen_domain::InquiryCategory::parse,
            &mut problems,
        );
        let label_da = row.required("label_da", &mut problems);
        let label_en = row.required("label_en", &mut problems);
        let sort_order = row.number("sort_order", &mut problems);
        if let (Some(t), Some(c)) = (inquiry_type, category) {
            if t.category() != c {
                problems.push(row.problem(
                    "category",
                    da!("{} hører til kategorien {}", t.code(), t.category().code()),
                ));
            }
        }
        if let (Some(inquiry_type), Some(label_da), Some(label_en), Some(sort_order)) =
            (inquiry_type, label_da, label_en, sort_order)
        {
            types.push(InquiryTypeLabel {
                inquiry_type,
                label_da,
                label_en,
                sort_order,
            });
        }
    }
    table.finish(types, problems)
}

/// `codes/completions.csv`.
pub fn completions(bytes: &[u8]) -> Result<Vec<CompletionLabel>, IngestError> {
    let table = Table::read(
        "completions.csv",
        bytes,
        &["code", "label_da", "label_en", "sort_order"],
    )?;
    let mut problems = Vec::new();
    let mut completions = Vec::new();
    for row in table.rows() {
        let fields = (
            row.parse("code", Completion::parse, &mut problems),
            row.required("label_da", &mut problems),
            row.required("label_en", &mut problems),
            row.number("sort_order", &mut problems),
        );
        if let (Some(completion), Some(label_da), Some(label_en), Some(sort_order)) = fields {
            completions.push(CompletionLabel {
                completion,
                label_da,
                label_en,
                sort_order,
            });
        }
    }
    table.finish(completions, problems)
}

/// `tasks/packages.csv` and `tasks/package_tasks.csv`.
pub fn task_packages(
    packages: &[u8],
    package_tasks: &[u8],
) -> Result<Vec<TaskPackage>, IngestError> {
    let table = Table::read(
        "packages.csv",
        packages,
        &[
            "code",
            "name_da",
            "name_en",
            "season",
            "year",
            "description_da",
        ],
    )?;
    let mut problems = Vec::new();
    let mut result: Vec<TaskPackage> = Vec::new();
    for row in table.rows() {
        let season = match Season::parse(row.get("season")) {
            Some(s) => Some(s),
            None => {
                problems.push(row.problem("season", dl!("forventede spring eller autumn")));
                None
            }
        };
        let fields = (
            row.required("code", &mut problems),
            row.required("name_da", &mut problems),
            row.required("name_en", &mut problems),
            season,
            row.number("year", &mut problems),
        );
        if let (Some(code), Some(name_da), Some(name_en), Some(season), Some(year)) = fields {
            let description_da = row.get("description_da").to_owned();
            result.push(TaskPackage {
                code,
                name_da,
                name_en,
                season,
                year,
                description_da,
                tasks: vec![],
            });
        }
    }
    let packages_table = table.finish((), problems);
    let table = Table::read(
        "package_tasks.csv",
        package_tasks,
        &["package", "kle", "name_da", "mandatory"],
    )?;
    let mut problems: Vec<Problem> = Vec::new();
    for row in table.rows() {
        let kle = row.parse("kle", KleNumber::parse, &mut problems);
        let name = row.required("name_da", &mut problems);
        let mandatory = row.flag("mandatory", &mut problems);
        let package = result.iter_mut().find(|p| p.code == row.get("package"));
        if package.is_none() {
            problems.push(row.problem(
                "package",
                da!("ukendt opgavepakke «{}»", row.get("package")),
            ));
        }
        if let (Some(package), Some(kle), Some(name), Some(mandatory)) =
            (package, kle, name, mandatory)
        {
            if package.tasks.iter().any(|t| t.kle == kle) {
                problems.push(row.problem("kle", da!("{kle} står to gange i {}", package.code)));
                continue;
            }
            package.tasks.push(PackageTask {
                kle,
                name,
                mandatory,
            });
        }
    }
    packages_table?;
    table.finish(result, problems)
}

/// `codes/optional_parameters.csv` and `codes/optional_parameter_options.csv`.
pub fn optional_parameters(
    parameters: &[u8],
    options: &[u8],
) -> Result<Vec<OptionalParameter>, IngestError> {
    let table = Table::read(
        "optional_parameters.csv",
        parameters,
        &["code", "answer_kind", "label_da", "label_en", "sort_order"],
    )?;
    let mut problems = Vec::new();
    let mut result: Vec<OptionalParameter> = Vec::new();
    for row in table.rows() {
        let fields = (
            row.required("code", &mut problems),
            row.parse("answer_kind", AnswerKind::parse, &mut problems),
            row.required("label_da", &mut problems),
            row.required("label_en", &mut problems),
            row.number("sort_order", &mut problems),
        );
        if let (Some(code), Some(answer_kind), Some(label_da), Some(label_en), Some(sort_order)) =
            fields
        {
            result.push(OptionalParameter {
                code,
                answer_kind,
                label_da,
                label_en,
                sort_order,
                options: vec![],
            });
        }
    }
    let first = table.finish((), problems);
    let table = Table::read(
        "optional_parameter_options.csv",
        options,
        &[
            "question_code",
            "code",
            "label_da",
            "label_en",
            "sort_order",
        ],
    )?;
    let mut problems = Vec::new();
    for row in table.rows() {
        let parameter = result
            .iter_mut()
            .find(|p| p.code == row.get("question_code"));
        let fields = (
            row.required("code", &mut problems),
            row.required("label_da", &mut problems),
            row.required("label_en", &mut problems),
            row.number("sort_order", &mut problems),
        );
        match (parameter, fields) {
            (Some(parameter), (Some(code), Some(label_da), Some(label_en), Some(sort_order))) => {
                if parameter.answer_kind != AnswerKind::Choice {
                    problems.push(row.problem(
                        "question_code",
                        da!("{} har ingen svarmuligheder", parameter.code),
                    ));
                } else {
                    parameter.options.push(AnswerOption {
                        code,
                        label_da,
                        label_en,
                        sort_order,
                    });
                }
            }
            (None, _) => problems.push(row.problem(
                "question_code",
                da!("ukendt parameter «{}»", row.get("question_code")),
            )),
            _ => {}
        }
    }
    first?;
    table.finish(result, problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn municipalities_read_regions_and_populations() {
        let file =
            "kommunekode;navn;regionskode;region;landsdel;iso_3166_2;folketal_2020;folketal_2019\n\
                    259;Køge;1085;Region Sjælland;Østsjælland;DK-85;60569;60000\n\
                    101;København;1084;Region Hovedstaden;Byen København;DK-84;632340;\n";
        let (regions, municipalities, populations) = municipalities(file.as_bytes()).unwrap();
        assert_eq!(regions.len(), 2);
        assert_eq!(municipalities[0].name, "Køge");
        assert_eq!(populations.len(), 3, "an empty cell is no figure");
    }

    #[test]
    fn every_problem_is_reported_with_line_and_column() {
        let file = "kommunekode;navn;regionskode;region;landsdel;iso_3166_2\n\
                    259;Køge;1085;Region Sjælland;x;DK-85\n\
                    42;;1085;Region Sjælland;x;DK-85\n\
                    260;Andet;9999;Region X;x;DK-85\n";
        let err = municipalities(file.as_bytes()).unwrap_err();
        let places: Vec<String> = err.problems.iter().map(|p| p.to_string()).collect();
        assert_eq!(err.problems.len(), 3, "{places:?}");
        assert!(
            places[0].starts_with("linje 3, kolonne «kommunekode»"),
            "{places:?}"
        );
        assert!(
            places[1].starts_with("linje 3, kolonne «navn»"),
            "{places:?}"
        );
        assert!(
            places[2].starts_with("linje 4, kolonne «regionskode»"),
            "{places:?}"
        );
    }

    #[test]
    fn missing_columns_are_named() {
        let err = channels(b"code;label_da\nTLFIND;Telefon\n").unwrap_err();
        assert!(err
            .problems
            .iter()
            .any(|p| p.column.as_deref() == Some("medium")));
    }

    #[test]
    fn kle_level_must_match_the_number() {
        let err = kle_catalogue("nummer;niveau;titel;overordnet\n27.24;emne;X;27\n".as_bytes())
            .unwrap_err();
        assert!(err.problems[0].message.contains("KLE-emne"));
    }

    #[test]
    fn inquiry_type_category_must_agree_with_the_method() {
        let err = inquiry_types(
            b"code;label_da;label_en;category;sort_order\nOPRET;Ny;New;information;1\n",
        )
        .unwrap_err();
        assert!(err.problems[0].message.contains("transaction"));
    }
}
