//! The diesel schema, shared by the SQLite and PostgreSQL migrations (portable column types only).

#![allow(missing_docs)]

diesel::table! {
    agencies (id) {
        id -> BigInt,
        name -> Text,
        abbreviation -> Nullable<Text>,
        email -> Nullable<Text>,
        successor_id -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    users (id) {
        id -> BigInt,
        username -> Text,
        display_name -> Text,
        role -> Text,
        agency_id -> Nullable<BigInt>,
        password_hash -> Nullable<Text>,
        disabled -> Bool,
        created_at -> Timestamp,
    }
}

diesel::table! {
    files (checksum) {
        checksum -> Text,
        size -> BigInt,
        content -> Binary,
        created_at -> Timestamp,
    }
}

diesel::table! {
    directives (id) {
        id -> BigInt,
        file_name -> Nullable<Text>,
        checksum -> Text,
        source_format -> Text,
        original_text -> Text,
        repaired_text -> Text,
        received_at -> Timestamp,
        registered_by -> Nullable<BigInt>,
    }
}

diesel::table! {
    documents (id) {
        id -> BigInt,
        directive_id -> BigInt,
        position -> Integer,
        kind -> Nullable<Text>,
        number -> Nullable<Text>,
        issuer -> Nullable<Text>,
        place -> Nullable<Text>,
        issued_on -> Nullable<Date>,
        subject -> Nullable<Text>,
        signer -> Nullable<Text>,
        recipients -> Text,
        refs -> Text,
        body -> Text,
    }
}

diesel::table! {
    tasks (id) {
        id -> BigInt,
        directive_id -> BigInt,
        document_id -> BigInt,
        position -> Integer,
        text -> Text,
        deadline -> Nullable<Date>,
        deadline_text -> Nullable<Text>,
        status -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        done_on -> Nullable<Date>,
        recurrence -> Nullable<Text>,
        recurrence_working_days -> Bool,
        recurrence_anchor -> Nullable<Date>,
        series_id -> Nullable<BigInt>,
        occurrence -> Integer,
        source_start -> Nullable<Integer>,
        source_end -> Nullable<Integer>,
    }
}

diesel::table! {
    task_agencies (task_id, agency_id, role) {
        task_id -> BigInt,
        agency_id -> BigInt,
        role -> Text,
        position -> Integer,
    }
}

diesel::table! {
    reports (id) {
        id -> BigInt,
        task_id -> BigInt,
        author_id -> Nullable<BigInt>,
        text -> Text,
        created_at -> Timestamp,
        decision -> Nullable<Text>,
        reason -> Nullable<Text>,
        decided_by -> Nullable<BigInt>,
        decided_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    report_attachments (id) {
        id -> BigInt,
        report_id -> BigInt,
        position -> Integer,
        file_name -> Text,
        content_type -> Text,
        checksum -> Text,
        size -> BigInt,
    }
}

diesel::table! {
    extensions (id) {
        id -> BigInt,
        task_id -> BigInt,
        old_deadline -> Nullable<Date>,
        new_deadline -> Date,
        reason -> Text,
        requested_by -> Nullable<BigInt>,
        requested_at -> Timestamp,
        status -> Text,
        note -> Nullable<Text>,
        decided_by -> Nullable<BigInt>,
        decided_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    reminders (id) {
        id -> BigInt,
        dedupe_key -> Text,
        agency_id -> Nullable<BigInt>,
        recipient -> Text,
        subject -> Text,
        body_text -> Text,
        body_html -> Text,
        message_id -> Text,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        lease_until -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    reminder_items (task_id, audience, occasion) {
        reminder_id -> BigInt,
        task_id -> BigInt,
        audience -> Text,
        occasion -> Text,
    }
}

diesel::table! {
    audit_log (id) {
        id -> BigInt,
        at -> Timestamp,
        actor -> Text,
        action -> Text,
        entity -> Text,
        entity_id -> Nullable<BigInt>,
        detail -> Text,
    }
}

diesel::table! {
    search_queue (id) {
        id -> BigInt,
        directive_id -> BigInt,
        queued_at -> Timestamp,
    }
}

diesel::table! {
    sessions (secret_hash) {
        secret_hash -> Text,
        user_id -> BigInt,
        csrf_token -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    api_tokens (id) {
        id -> BigInt,
        user_id -> BigInt,
        token_hash -> Text,
        label -> Text,
        created_at -> Timestamp,
        last_used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    register_counters (office, year) {
        office -> Text,
        year -> Integer,
        last_number -> BigInt,
    }
}

diesel::table! {
    register_entries (id) {
        id -> BigInt,
        office -> Text,
        year -> Integer,
        number -> BigInt,
        directive_id -> BigInt,
        received_on -> Date,
        received_at -> Timestamp,
        issuer -> Nullable<Text>,
        doc_number -> Nullable<Text>,
        doc_date -> Nullable<Date>,
        kind -> Nullable<Text>,
        summary -> Nullable<Text>,
        recipient -> Nullable<Text>,
        remarks -> Nullable<Text>,
        text_checksum -> Text,
        registered_by -> Text,
        cancelled_at -> Nullable<Timestamp>,
        cancel_reason -> Nullable<Text>,
    }
}

diesel::table! {
    settings (key) {
        key -> Text,
        value -> Text,
        updated_at -> Timestamp,
        updated_by -> Text,
    }
}

diesel::table! {
    calendar_days (day) {
        day -> Date,
        working -> Bool,
        name -> Text,
        created_at -> Timestamp,
        created_by -> Text,
    }
}

diesel::table! {
    intake_jobs (id) {
        id -> BigInt,
        checksum -> Text,
        file_name -> Nullable<Text>,
        office -> Text,
        draft -> Bool,
        confirm_duplicate -> Bool,
        actor -> Text,
        submitted_by -> Nullable<BigInt>,
        status -> Text,
        stage -> Text,
        pages_done -> Integer,
        pages_total -> Integer,
        attempts -> Integer,
        claim -> Nullable<Text>,
        lease_until -> Nullable<Timestamp>,
        directive_id -> Nullable<BigInt>,
        error_code -> Nullable<Text>,
        error_message -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(api_tokens -> users (user_id));
diesel::joinable!(users -> agencies (agency_id));
diesel::joinable!(documents -> directives (directive_id));
diesel::joinable!(tasks -> directives (directive_id));
diesel::joinable!(tasks -> documents (document_id));
diesel::joinable!(task_agencies -> tasks (task_id));
diesel::joinable!(task_agencies -> agencies (agency_id));
diesel::joinable!(reports -> tasks (task_id));
diesel::joinable!(report_attachments -> reports (report_id));
diesel::joinable!(report_attachments -> files (checksum));
diesel::joinable!(extensions -> tasks (task_id));
diesel::joinable!(reminder_items -> reminders (reminder_id));
diesel::joinable!(reminder_items -> tasks (task_id));
diesel::joinable!(reminders -> agencies (agency_id));
diesel::joinable!(register_entries -> directives (directive_id));

diesel::allow_tables_to_appear_in_same_query!(
    agencies,
    users,
    files,
    directives,
    documents,
    tasks,
    task_agencies,
    reports,
    report_attachments,
    extensions,
    reminders,
    reminder_items,
    audit_log,
    search_queue,
    sessions,
    api_tokens,
    register_counters,
    register_entries,
    settings,
    calendar_days,
    intake_jobs,
);
