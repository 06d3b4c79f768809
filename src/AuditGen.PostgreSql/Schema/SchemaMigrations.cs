namespace AuditGen.PostgreSql.Schema;

/// <summary>One step of the schema, applied once and recorded in <c>auditgen.schema_version</c>.</summary>
internal sealed record SchemaMigration(int Version, string Description, string Sql);

/// <summary>
/// The schema, version by version. A version, once released, is never edited: changes are new versions appended here
/// (the Merkle checkpoints of issue 6 and the retention bookkeeping of issue 7 come as versions 2, 3, …).
/// </summary>
internal static class SchemaMigrations
{
    /// <summary>The schema every table, function and trigger of the store lives in.</summary>
    public const string SchemaName = "auditgen";

    /// <summary>The version this library writes and reads.</summary>
    public static int CurrentVersion => All[^1].Version;

    /// <summary>Every version in order.</summary>
    public static IReadOnlyList<SchemaMigration> All { get; } =
    [
        new(1, "records, logs, archive manifests; append-only triggers; retention delete function", V1),
        new(2, "Merkle tree nodes per log, append-only", V2),
    ];

    // One row per node of each log's RFC 6962 tree, keyed by its post-order position (MerkleTree.PostOrderPosition):
    // written in the same transaction as the records whose leaves they are, under the log's lock, so there is exactly
    // one tree per log. Retention never deletes nodes: the tree of a pruned log still proves its checkpoints.
    private const string V2 = """
        CREATE TABLE auditgen.tree_nodes (
            log_id    text NOT NULL,
            position  bigint NOT NULL CHECK (position >= 0),
            hash      bytea NOT NULL CHECK (length(hash) = 32),
            PRIMARY KEY (log_id, position)
        );
        CREATE TRIGGER tree_nodes_append_only BEFORE UPDATE OR DELETE ON auditgen.tree_nodes
            FOR EACH ROW EXECUTE FUNCTION auditgen.refuse_record_change();
        CREATE TRIGGER tree_nodes_no_truncate BEFORE TRUNCATE ON auditgen.tree_nodes
            FOR EACH STATEMENT EXECUTE FUNCTION auditgen.refuse_truncate();
        """;

    // Timestamps are Unix microseconds (bigint): exactly the hashed value, no time zone or rounding on the way. Details
    // are the canonical JSON text (jsonb would re-order and re-format it). Hashes are the lower-case hex of the wire.
    private const string V1 = """
        CREATE TABLE auditgen.logs (
            log_id      text PRIMARY KEY CHECK (length(log_id) BETWEEN 1 AND 200),
            created_at  timestamptz NOT NULL DEFAULT now()
        );

        CREATE TABLE auditgen.records (
            log_id            text NOT NULL,
            sequence          bigint NOT NULL CHECK (sequence >= 0),
            id                uuid NOT NULL,
            timestamp_micros  bigint NOT NULL,
            action            text NOT NULL,
            actor_id          text,
            actor_type        text NOT NULL,
            conversation_id   text,
            user_id           text,
            subject_id        text,
            agent_name        text,
            tool_name         text,
            resource_type     text,
            resource_id       text,
            classification    text NOT NULL,
            domains           text[] NOT NULL,
            outcome           text NOT NULL,
            duration_micros   bigint,
            details           text,
            error_type        text,
            error_message     text,
            model             text,
            tokens_in         bigint,
            tokens_out        bigint,
            cost              text,
            trace_id          text,
            span_id           text,
            sealed            text,
            previous_hash     text NOT NULL,
            hash              text NOT NULL,
            PRIMARY KEY (log_id, sequence)
        );
        -- A record id is written once: the backstop against a retried group commit landing twice.
        CREATE UNIQUE INDEX records_id ON auditgen.records (log_id, id);
        CREATE INDEX records_conversation ON auditgen.records (log_id, conversation_id, sequence) WHERE conversation_id IS NOT NULL;
        CREATE INDEX records_user_time ON auditgen.records (log_id, user_id, timestamp_micros) WHERE user_id IS NOT NULL;
        CREATE INDEX records_resource ON auditgen.records (log_id, resource_type, resource_id, sequence) WHERE resource_type IS NOT NULL;
        CREATE INDEX records_action ON auditgen.records (log_id, action, sequence);
        CREATE INDEX records_tool ON auditgen.records (log_id, tool_name, sequence) WHERE tool_name IS NOT NULL;
        CREATE INDEX records_time ON auditgen.records (log_id, timestamp_micros);

        -- What was archived before records were deleted (written by retention, issue 7). Boundary hashes tie a manifest
        -- to the exact records it describes; verification of the live log starts from the last deleted record's hash.
        CREATE TABLE auditgen.archive_manifests (
            log_id               text NOT NULL,
            from_sequence        bigint NOT NULL CHECK (from_sequence >= 0),
            to_sequence          bigint NOT NULL,
            first_previous_hash  text NOT NULL,
            last_hash            text NOT NULL,
            archive_location     text NOT NULL,
            archive_sha256       text NOT NULL,
            created_at           timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (log_id, from_sequence),
            CHECK (to_sequence >= from_sequence)
        );

        CREATE FUNCTION auditgen.refuse_record_change() RETURNS trigger LANGUAGE plpgsql AS $fn$
        BEGIN
            IF TG_OP = 'DELETE' AND TG_TABLE_NAME = 'records'
               AND coalesce(current_setting('auditgen.retention_delete', true), '') = 'on' THEN
                IF EXISTS (SELECT 1 FROM auditgen.archive_manifests m
                           WHERE m.log_id = OLD.log_id AND OLD.sequence BETWEEN m.from_sequence AND m.to_sequence) THEN
                    RETURN OLD;
                END IF;
                RAISE EXCEPTION 'auditgen: record % of log % is in no archive manifest; it cannot be deleted', OLD.sequence, OLD.log_id;
            END IF;
            RAISE EXCEPTION 'auditgen: % refused on %.%: audit records are append-only', TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME
                USING HINT = 'Records leave only through auditgen.delete_archived_records, after they were archived.';
        END
        $fn$;

        CREATE FUNCTION auditgen.refuse_truncate() RETURNS trigger LANGUAGE plpgsql AS $fn$
        BEGIN
            RAISE EXCEPTION 'auditgen: TRUNCATE refused on %.%: audit records are append-only', TG_TABLE_SCHEMA, TG_TABLE_NAME;
        END
        $fn$;

        CREATE TRIGGER records_append_only BEFORE UPDATE OR DELETE ON auditgen.records
            FOR EACH ROW EXECUTE FUNCTION auditgen.refuse_record_change();
        CREATE TRIGGER records_no_truncate BEFORE TRUNCATE ON auditgen.records
            FOR EACH STATEMENT EXECUTE FUNCTION auditgen.refuse_truncate();
        CREATE TRIGGER manifests_append_only BEFORE UPDATE OR DELETE ON auditgen.archive_manifests
            FOR EACH ROW EXECUTE FUNCTION auditgen.refuse_record_change();
        CREATE TRIGGER manifests_no_truncate BEFORE TRUNCATE ON auditgen.archive_manifests
            FOR EACH STATEMENT EXECUTE FUNCTION auditgen.refuse_truncate();

        -- The only way records leave: whole archived segments, oldest first, never the newest record (the chain's tail,
        -- which the next append continues). Runs as the schema owner; the caller needs only EXECUTE.
        CREATE FUNCTION auditgen.delete_archived_records(p_log_id text, p_through_sequence bigint) RETURNS bigint
            LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
        DECLARE
            v_first bigint;
            v_head bigint;
            v_uncovered bigint;
            v_bad_manifest bigint;
            v_deleted bigint;
        BEGIN
            -- The appenders' lock: no group commit reads the tail while records go.
            PERFORM pg_advisory_xact_lock(1096107079, hashtext(p_log_id));
            SELECT min(sequence), max(sequence) INTO v_first, v_head FROM auditgen.records WHERE log_id = p_log_id;
            IF v_head IS NULL THEN
                RAISE EXCEPTION 'auditgen: log % has no records', p_log_id;
            END IF;
            IF p_through_sequence >= v_head THEN
                RAISE EXCEPTION 'auditgen: sequence % is the newest record of log % (or beyond it); the chain''s tail is never deleted', v_head, p_log_id;
            END IF;
            IF NOT EXISTS (SELECT 1 FROM auditgen.archive_manifests
                           WHERE log_id = p_log_id AND to_sequence = p_through_sequence) THEN
                RAISE EXCEPTION 'auditgen: no archive manifest of log % ends at sequence %; only whole archived segments are deleted', p_log_id, p_through_sequence;
            END IF;
            SELECT r.sequence INTO v_uncovered FROM auditgen.records r
             WHERE r.log_id = p_log_id AND r.sequence <= p_through_sequence
               AND NOT EXISTS (SELECT 1 FROM auditgen.archive_manifests m
                               WHERE m.log_id = r.log_id AND r.sequence BETWEEN m.from_sequence AND m.to_sequence)
             ORDER BY r.sequence LIMIT 1;
            IF FOUND THEN
                RAISE EXCEPTION 'auditgen: record % of log % is in no archive manifest; archive it before deleting', v_uncovered, p_log_id;
            END IF;
            SELECT m.from_sequence INTO v_bad_manifest FROM auditgen.archive_manifests m
             WHERE m.log_id = p_log_id AND m.from_sequence <= p_through_sequence AND m.to_sequence >= v_first
               AND (EXISTS (SELECT 1 FROM auditgen.records r WHERE r.log_id = m.log_id AND r.sequence = m.to_sequence AND r.hash <> m.last_hash)
                 OR EXISTS (SELECT 1 FROM auditgen.records r WHERE r.log_id = m.log_id AND r.sequence = m.from_sequence AND r.previous_hash <> m.first_previous_hash))
             ORDER BY m.from_sequence LIMIT 1;
            IF FOUND THEN
                RAISE EXCEPTION 'auditgen: the archive manifest of log % from sequence % does not match the live records'' hashes', p_log_id, v_bad_manifest;
            END IF;
            PERFORM set_config('auditgen.retention_delete', 'on', true);
            DELETE FROM auditgen.records WHERE log_id = p_log_id AND sequence <= p_through_sequence;
            GET DIAGNOSTICS v_deleted = ROW_COUNT;
            PERFORM set_config('auditgen.retention_delete', 'off', true);
            RETURN v_deleted;
        END
        $fn$;
        REVOKE ALL ON FUNCTION auditgen.delete_archived_records(text, bigint) FROM PUBLIC;
        """;
}
