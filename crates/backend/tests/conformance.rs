//! Runs the store conformance suite on the backend `KOMHEN_TEST_DATABASE_URL`
//! names (SQLite when unset), one fresh database per check.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should panic

use komhen_backend::testing::TestStore;

macro_rules! conformance {
    ($($check:ident),* $(,)?) => {
        $(
            #[tokio::test]
            async fn $check() {
                let db = TestStore::new().await;
                komhen_store_conformance::$check(db.store.as_ref()).await;
            }
        )*

        #[test]
        fn every_check_runs() {
            let here: &[&str] = &[$(stringify!($check)),*];
            assert_eq!(here, komhen_store_conformance::CHECKS);
        }
    };
}

conformance!(
    reference_data_loads_idempotently,
    municipalities_carry_region_and_latest_population,
    tasks_are_national_or_local_to_one_municipality,
    departments_and_units_stay_in_their_municipality,
    task_assignment_is_scoped_to_the_unit_municipality,
    users_hold_roles,
    questions_and_unit_parameters_are_scoped,
    periods_are_national_or_local_and_joinable,
    registrations_store_dimensions_answers_and_idempotency,
    registrations_saved_together_are_answered_each_and_stored_once,
    registrations_are_listed_only_for_their_municipality,
    batches_load_all_rows_once_and_delete_whole,
    registrations_refer_only_to_what_exists,
    held_batches_stay_invisible_until_committed,
    publications_are_kept_per_period_newest_first,
    batches_are_found_by_fingerprint_and_counted_per_cell,
    counts_sum_quantity_and_exclude_test,
    total_counts_are_scoped_and_checked,
    channel_prices_are_national_or_local,
    audit_log_is_scoped_and_newest_first,
    registrations_are_corrected_and_removed_only_in_their_municipality,
    unit_usage_and_day_counts_are_the_unit_own,
    sessions_expire_and_record_unit_logins,
    login_failures_count_per_login_and_address,
    unit_passwords_and_test_mode_are_set_per_municipality,
    unit_sessions_come_with_their_unit_and_municipality,
    setup_changes_raise_the_setup_version,
    the_cube_always_equals_the_registrations_that_count,
    aggregates_filter_group_and_stay_in_their_municipalities,
    web_pages_map_paths_to_the_municipality_own_tasks,
    own_statistics_are_set_per_municipality_and_channel,
    channel_counts_by_task_sum_visible_quantity_of_one_municipality,
    system_tokens_open_only_their_municipality,
    api_batches_are_found_by_name_and_stored_once,
    totals_stage_invisibly_and_commit_only_without_overlap,
    totals_entered_at_the_same_moment_commit_only_once,
    central_totals_are_listed_per_municipality_and_deleted_whole,
    phone_rules_are_set_up_per_municipality_in_order,
    a_plan_applies_whole_with_ids_of_its_own_steps,
    hotlines_are_set_up_with_members_hours_roles_and_prices,
    hotline_statements_never_change_and_corrections_are_new,
    hotline_calls_are_stored_once_and_the_same_file_is_recognised,
    hotline_shifts_are_listed_by_overlap,
    hotline_units_answer_one_line_each,
    hotline_registrations_are_stored_once_with_their_link,
    hotline_calls_count_once_for_the_caller,
    questionnaires_keep_one_response_per_respondent_and_stay_scoped,
);
