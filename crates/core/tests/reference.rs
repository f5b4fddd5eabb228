//! The loaded reference data agrees with the shipped source files.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should panic

use komhen_backend::testing::TestStore;
use komhen_core::reference;
use komhen_domain::{Direction, KleNumber, Medium, MunicipalityCode, TaskCodeKind};

const KOMMUNER: &str = include_str!("../../../data/municipalities/kommuner.csv");
const KLE: &str = include_str!("../../../data/kle/kle_emneplan_2013.csv");

#[tokio::test]
async fn loaded_reference_data_matches_the_source_files() {
    let db = TestStore::new().await;
    let store = db.store.as_ref();
    let counts = reference::migrate_and_load(store).await.unwrap();

    // 98 municipalities, one per data line of the source file.
    assert_eq!(counts.municipalities, 98);
    assert_eq!(
        KOMMUNER.lines().skip(1).filter(|l| !l.is_empty()).count(),
        98
    );
    assert_eq!(counts.regions, 5);
    assert_eq!(
        counts.populations,
        98 * 13,
        "2008-2020 for each municipality"
    );
    let koege = store
        .get_municipality(MunicipalityCode::new(259).unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(koege.name, "Køge");
    assert_eq!(koege.region_name, "Region Sjælland");
    assert_eq!(koege.population, Some((2020, 60_979)));
    // Every municipality of the file is there with its name and population.
    let loaded = store.list_municipalities().await.unwrap();
    for line in KOMMUNER.lines().skip(1) {
        let cells: Vec<&str> = line.split(';').collect();
        let m = loaded
            .iter()
            .find(|m| m.code.to_string() == cells[0])
            .unwrap();
        assert_eq!(m.name, cells[1]);
        assert_eq!(m.population.unwrap().1.to_string(), cells[6]);
    }
    let total_2020: i64 = loaded.iter().map(|m| m.population.unwrap().1).sum();
    assert_eq!(
        total_2020, 5_822_679,
        "DST FOLK1A 2020Q1 without Christiansø"
    );

    // The whole KLE catalogue, with 27.24.00.
    assert_eq!(counts.kle_entries as usize, KLE.lines().skip(1).count());
    let entry = store
        .get_kle_entry(&KleNumber::parse("27.24.00").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(entry.level, TaskCodeKind::Topic);

    // The 35 mandatory tasks of 2012, flagged; the 45 of autumn 2013.
    let packages = store.list_task_packages().await.unwrap();
    let of = |code: &str| packages.iter().find(|p| p.code == code).unwrap().id;
    let tasks_2012 = store.list_package_tasks(of("2012-efteraar")).await.unwrap();
    let mandatory_2012: Vec<_> = tasks_2012.iter().filter(|t| t.mandatory).collect();
    assert_eq!(mandatory_2012.len(), 35);
    for kle in [
        "02.34.02", "17.13.10", "23.01.00", "29.03.04", "32.03.04", "32.06.16",
    ] {
        assert!(
            mandatory_2012.iter().any(|t| t.task.kle.as_str() == kle),
            "{kle} is mandatory in 2012"
        );
    }
    let tasks_2013 = store.list_package_tasks(of("2013-efteraar")).await.unwrap();
    assert_eq!(tasks_2013.len(), 45);
    assert!(tasks_2013.iter().all(|t| t.mandatory));
    let eu_card = tasks_2013
        .iter()
        .find(|t| t.task.kle.as_str() == "29.03.99")
        .unwrap();
    assert_eq!(
        eu_card.task.kind,
        TaskCodeKind::Pseudo,
        "a KOMHEN code, not KLE"
    );

    // The national code lists.
    let channels = store.list_channels().await.unwrap();
    assert_eq!(channels.len(), 22);
    let tlfud = channels
        .iter()
        .find(|c| c.code.as_str() == "TLFUD")
        .unwrap();
    assert_eq!(
        (tlfud.medium, tlfud.direction),
        (Medium::Telephone, Direction::Outgoing)
    );
    assert!(
        channels.iter().any(|c| c.medium == Medium::Chat),
        "chat has codes of its own"
    );
    assert_eq!(store.list_inquiry_types().await.unwrap().len(), 6);
    assert_eq!(counts.completions, 2);
    assert_eq!(
        counts.national_questions, 9,
        "the method's nine optional parameters"
    );

    // Loading again changes nothing.
    assert_eq!(reference::migrate_and_load(store).await.unwrap(), counts);
}

#[test]
fn the_map_geometry_has_every_municipality() {
    let geojson = std::str::from_utf8(reference::MUNICIPALITY_MAP_GEOJSON).unwrap();
    for line in KOMMUNER.lines().skip(1) {
        let code = line.split(';').next().unwrap();
        assert!(
            geojson.contains(&format!("\"kommunekode\": \"{code}\""))
                || geojson.contains(&format!("\"kommunekode\":\"{code}\"")),
            "{code}"
        );
    }
}
