/* handlers.h: every route handler, by area. A handler parses nothing (its input is declared
 * and validated), checks no permission (the dispatcher did), holds no SQL (domain/ does). */
#ifndef HOCVUSO_HANDLERS_H
#define HOCVUSO_HANDLERS_H

#include "http/http.h"

/* h_system.c */
int h_healthz(req *r);
int h_metrics(req *r);
int h_openapi(req *r);
int h_hello(req *r);
int h_meta(req *r);
int h_instance(req *r);
/* h_session.c */
int h_login(req *r);
int h_logout(req *r);
int h_me(req *r);
int h_me_password(req *r);
/* h_units.c */
int h_units_list(req *r);
int h_units_get(req *r);
int h_units_create(req *r);
int h_units_update(req *r);
int h_units_move(req *r);
int h_units_delete(req *r);
/* h_users.c */
int h_users_list(req *r);
int h_users_create(req *r);
int h_users_get(req *r);
int h_users_update(req *r);
int h_users_password(req *r);
int h_roles_grant(req *r);
int h_roles_revoke(req *r);
/* h_people.c */
int h_residents_list(req *r);
int h_residents_get(req *r);
int h_residents_create(req *r);
int h_residents_update(req *r);
int h_residents_vneid(req *r);
int h_residents_delete(req *r);
int h_residents_deleted_list(req *r);
int h_residents_restore(req *r);
int h_residents_add_membership(req *r);
int h_households_list(req *r);
int h_households_get(req *r);
int h_households_create(req *r);
int h_households_update(req *r);
int h_users_link_person(req *r);
int h_me_person(req *r);
/* h_requests.c (data subjects' requests) */
int h_me_requests_create(req *r);
int h_me_requests_list(req *r);
int h_requests_list(req *r);
int h_requests_summary(req *r);
int h_requests_get(req *r);
int h_requests_answer(req *r);
/* h_export.c */
int h_residents_export(req *r);
/* h_audit.c */
int h_audit_list(req *r);
/* h_test.c (routes under /api/v1/test/, present only with HOCVUSO_TEST_ROUTES=1) */
int h_test_upload(req *r);
int h_test_broken_error(req *r);
int h_imports_upload(req *r);
/* h_qbank.c */
int h_questions_import(req *r);
int h_questions_list(req *r);
int h_questions_get(req *r);
int h_competencies_list(req *r);
int h_competencies_create(req *r);
/* h_lessons.c */
int h_courses_list(req *r);
int h_lessons_get(req *r);
int h_lessons_complete(req *r);
/* h_confirmations.c (confirmations from outside) */
int h_person_confirmations(req *r);
int h_person_confirmations_add(req *r);
int h_confirmations_list(req *r);
int h_confirmations_import(req *r);
int h_confirmations_delete(req *r);
/* h_trade.c: 4T steps of small traders (issue 9 part 4) */
int h_markets_list(req *r);
int h_traders_list(req *r);
int h_trade_step_record(req *r);
int h_trade_step_delete(req *r);
/* h_classes.c: training classes (issue 9 part 5) */
int h_classes_list(req *r);
int h_classes_get(req *r);
int h_classes_create(req *r);
int h_classes_session_add(req *r);
int h_classes_enrol(req *r);
int h_classes_attendance(req *r);
int h_classes_outcome(req *r);
/* h_events.c: events such as Ngày hội toàn dân học tập số (issue 9 part 6) */
int h_events_list(req *r);
int h_events_get(req *r);
int h_events_create(req *r);
int h_events_update(req *r);
int h_events_activity_add(req *r);
int h_events_participant_add(req *r);
/* h_field.c (Tổ công nghệ số cộng đồng: teams, visits, worklists, coverage) */
int h_field_topics(req *r);
int h_field_topics_create(req *r);
int h_field_teams_list(req *r);
int h_field_teams_create(req *r);
int h_field_team_get(req *r);
int h_field_team_members_add(req *r);
int h_field_team_members_remove(req *r);
int h_field_worklist(req *r);
int h_field_coverage(req *r);
int h_field_households_find(req *r);
int h_household_visits_add(req *r);
int h_household_visits(req *r);
int h_field_team_report(req *r);
int h_field_team_report_xlsx(req *r);
/* h_helpreq.c (yêu cầu hỗ trợ: help requests to the community digital teams) */
int h_helpreq_public_units(req *r);
int h_helpreq_public_topics(req *r);
int h_helpreq_public(req *r);
int h_helpreq_create(req *r);
int h_helpreq_list(req *r);
int h_helpreq_summary(req *r);
int h_helpreq_get(req *r);
int h_helpreq_take(req *r);
int h_helpreq_done(req *r);
/* h_quiz.c */
int h_quizzes_create(req *r);
int h_quizzes_list(req *r);
int h_attempts_start(req *r);
int h_attempts_get(req *r);
int h_attempts_submit(req *r);
int h_attempts_answers_save(req *r);
/* h_competence.c: change in competence, assisted attempts (issue 8 parts 6, 7) */
int h_me_competence(req *r);
int h_residents_competence(req *r);
int h_reports_competence_change(req *r);
int h_residents_attempts_start(req *r);
/* h_certs.c */
int h_cert_keys(req *r);
int h_cert_verify(req *r);
int h_cert_verify_signed(req *r);
int h_certs_list(req *r);
int h_certs_get(req *r);
int h_certs_qr(req *r);
int h_certs_pdf(req *r);
int h_certs_revoke(req *r);
int h_programmes_list(req *r);
int h_programmes_create(req *r);
int h_programmes_update(req *r);
int h_programme_check(req *r);
int h_imports_mapping(req *r);
int h_imports_start(req *r);
int h_imports_get(req *r);
int h_imports_errors(req *r);
int h_imports_list(req *r);
/* h_plan.c: the plan's tasks, progress updates, the plan's unit map; attachments */
int h_plan_tasks_list(req *r);
int h_plan_task_get(req *r);
int h_plan_update_add(req *r);
int h_plan_attachment_upload(req *r);
int h_plan_units_list(req *r);
int h_plan_units_set(req *r);
int h_attachment_get(req *r);
/* h_schools.c: schools' digital-skills programme, grades, designations, evidence */
int h_schools_list(req *r);
int h_schools_get(req *r);
int h_schools_programme(req *r);
int h_schools_designation(req *r);
int h_schools_evidence(req *r);
/* h_resources.c: contributions, plan budgets */
int h_contributions_list(req *r);
int h_contributions_add(req *r);
int h_plan_budgets(req *r);
int h_plan_budget_set(req *r);

/* h_ambassadors.c: Đại sứ số (issue 9 part 2) */
int h_ambassadors_list(req *r);
int h_ambassadors_summary(req *r);
int h_ambassadors_create(req *r);
int h_ambassadors_get(req *r);
int h_ambassadors_end(req *r);
int h_ambassadors_help(req *r);
int h_mentorships_create(req *r);
int h_mentorships_end(req *r);
int h_mentorships_session(req *r);
/* h_reach.c: Gia đình số, VNeID coverage (issue 9 parts 3, 10) */
int h_families_summary(req *r);
int h_families_left(req *r);
int h_vneid_coverage(req *r);
int h_vneid_worklist(req *r);
/* Chỉ tiêu (indicators.h) */
int h_indicators_get(req *r);
int h_indicators_ranking(req *r);
int h_indicators_history(req *r);
/* Those an indicator leaves behind (h_indicators_left.c); the query's unit and date as the
 * dashboard reads them (h_indicators.c): 0, or -1 answered. */
int h_indicators_left(req *r);
int h_indicators_left_csv(req *r);
int ind_query_unit_date(req *r, int64_t *unit, int64_t *key);
/* The query's reference `date` (default today; a real day, not after today): 0, or -1 answered 400. */
int ind_query_date(req *r, int64_t *key);
int h_reports_get(req *r);
int h_board(req *r);
int h_commendations(req *r);
int h_commendation_rules_add(req *r);
int h_reports_pdf(req *r);
int h_reports_xlsx(req *r);
int h_indicator_defs_list(req *r);
int h_indicator_defs_create(req *r);
int h_indicator_defs_update(req *r);

/* h_movement.c: one resident's part in the movement (issue 9) */
int h_person_movement(req *r);

#endif
