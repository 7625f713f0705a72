-- The incoming register ("Sổ đăng ký văn bản đến", Decree 30/2020/NĐ-CP): one entry per registered
-- directive, numbered per office and per year without gaps.

-- The last incoming number given in each office and year. Registration increments its row first, in
-- the transaction that writes the entry, so concurrent registrations queue on it and a rolled-back
-- registration gives its number back.
CREATE TABLE register_counters (
    office TEXT NOT NULL,
    year INTEGER NOT NULL,
    last_number BIGINT NOT NULL,
    PRIMARY KEY (office, year)
);

CREATE TABLE register_entries (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    office TEXT NOT NULL,
    year INTEGER NOT NULL,
    -- "Số đến".
    number BIGINT NOT NULL,
    directive_id BIGINT NOT NULL UNIQUE REFERENCES directives(id),
    -- "Ngày đến" (Vietnamese local day) and the moment of registration (UTC).
    received_on DATE NOT NULL,
    received_at TIMESTAMP NOT NULL,
    -- "Tác giả", "Số, ký hiệu", "Ngày tháng" and "Tên loại và trích yếu nội dung" of the document.
    issuer TEXT,
    doc_number TEXT,
    doc_date DATE,
    kind TEXT,
    summary TEXT,
    -- "Đơn vị hoặc người nhận".
    recipient TEXT,
    -- "Ghi chú".
    remarks TEXT,
    -- SHA-256 of the repaired text with white space collapsed: the same text however it arrived.
    text_checksum TEXT NOT NULL,
    registered_by TEXT NOT NULL,
    cancelled_at TIMESTAMP,
    cancel_reason TEXT,
    UNIQUE (office, year, number)
);
CREATE INDEX register_entries_received ON register_entries (received_on);
CREATE INDEX register_entries_text_checksum ON register_entries (text_checksum);
CREATE INDEX register_entries_doc_number ON register_entries (doc_number);
