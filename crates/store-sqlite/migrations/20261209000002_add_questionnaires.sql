-- Questionnaires of a national period: the coordinators' questionnaire
-- (one response per municipality) and the units' evaluation of the counting
-- weeks (one response per unit, once the coordinator has sent it). The
-- national administrator writes the questions; answering again replaces a
-- response, so the partial unique indexes keep one per respondent.
CREATE TABLE questionnaires (
    id INTEGER PRIMARY KEY,
    period_id BIGINT NOT NULL REFERENCES counting_periods (id),
    title TEXT NOT NULL,
    audience TEXT NOT NULL CHECK (audience IN ('coordinator', 'unit')),
    intro TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'open', 'closed')),
    created_at TEXT NOT NULL
);
CREATE INDEX questionnaires_period ON questionnaires (period_id);

CREATE TABLE questionnaire_questions (
    id INTEGER PRIMARY KEY,
    questionnaire_id BIGINT NOT NULL REFERENCES questionnaires (id),
    position INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('single', 'multiple', 'number', 'text')),
    text TEXT NOT NULL,
    -- The options of a single or multiple question, one per line.
    options TEXT NOT NULL DEFAULT '',
    required BOOLEAN NOT NULL DEFAULT FALSE,
    min_value BIGINT,
    max_value BIGINT
);
CREATE INDEX questionnaire_questions_questionnaire
    ON questionnaire_questions (questionnaire_id, position);

CREATE TABLE questionnaire_responses (
    id INTEGER PRIMARY KEY,
    municipality_code INTEGER NOT NULL REFERENCES municipalities (code),
    questionnaire_id BIGINT NOT NULL REFERENCES questionnaires (id),
    unit_id BIGINT REFERENCES units (id),
    answered_by TEXT NOT NULL,
    answered_at TEXT NOT NULL
);
CREATE UNIQUE INDEX questionnaire_responses_municipality
    ON questionnaire_responses (municipality_code, questionnaire_id) WHERE unit_id IS NULL;
CREATE UNIQUE INDEX questionnaire_responses_unit
    ON questionnaire_responses (municipality_code, questionnaire_id, unit_id)
    WHERE unit_id IS NOT NULL;
CREATE INDEX questionnaire_responses_questionnaire
    ON questionnaire_responses (questionnaire_id);

CREATE TABLE questionnaire_answers (
    municipality_code INTEGER NOT NULL REFERENCES municipalities (code),
    response_id BIGINT NOT NULL REFERENCES questionnaire_responses (id),
    question_id BIGINT NOT NULL REFERENCES questionnaire_questions (id),
    value TEXT NOT NULL
);
CREATE INDEX questionnaire_answers_response
    ON questionnaire_answers (municipality_code, response_id);

CREATE TABLE questionnaire_sends (
    municipality_code INTEGER NOT NULL REFERENCES municipalities (code),
    questionnaire_id BIGINT NOT NULL REFERENCES questionnaires (id),
    sent_by TEXT NOT NULL,
    sent_at TEXT NOT NULL,
    PRIMARY KEY (municipality_code, questionnaire_id)
);
