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
        new(3, "archived-record stubs, archive segments, prune_archived_records (replaces delete_archived_records)", V3),
        new(4, "a partial index of checkpoint records", V4),
        new(5, "Merkle tree nodes stored as runs, one row per group commit; auditgen.tree_node", V5),
        new(6, "auditgen.link_batch: the database links a batch onto the tail it holds the lock for", V6),
        new(7, "a partial index of sealed records by subject pseudonym", V7),
    ];

    // An erasure needs the records sealed under one subject's keys (header vault:v1:<key>:<pseudonym>). Without an index
    // it read the whole log. This one holds only sealed records, so it costs nothing for the others. (Built in the
    // migration's transaction, like V4's: on a large existing log, appends wait for it once.)
    private const string V7 = """
        CREATE INDEX records_sealed_subject ON auditgen.records (log_id, split_part(sealed, ':', 4)) WHERE sealed IS NOT NULL;
        """;

    // A writer whose commits keep missing the tail (other processes append to the log) no longer holds the log's lock
    // across a client turnaround to re-link: it sends its records with their canonical bytes cut around the two values
    // only the tail decides (previousHash, sequence), and this function, called under the lock by the insert statement,
    // chains them exactly as ChainHasher does (DESIGN §4), extends the tree by one run, and returns what it computed. The
    // writer recomputes every hash from the same bytes before it acknowledges anyone, so the database is not trusted
    // with the hashes. Runs with the caller's rights (it only reads the tail and inserts the run).
    private const string V6 = """
        CREATE FUNCTION auditgen.link_batch(p_log_id text, p_before bytea[], p_between bytea[], p_after bytea[])
            RETURNS TABLE (ord integer, sequence bigint, previous_hash text, hash text)
            LANGUAGE plpgsql AS $fn$
        DECLARE
            v_next bigint := 0;
            v_tail text;
            v_previous bytea := '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea;
            v_edge bytea[] := '{}';
            v_node bytea;
            v_leaf bytea;
            v_hash bytea;
            v_run bytea := ''::bytea;
            v_first bigint;
            v_size bigint;
            v_level integer;
            v_position bigint;
        BEGIN
            SELECT r.sequence + 1, r.hash INTO v_next, v_tail
              FROM auditgen.records r WHERE r.log_id = p_log_id ORDER BY r.sequence DESC LIMIT 1;
            IF NOT FOUND THEN
                v_next := 0;
            ELSIF v_tail !~ '^[0-9a-f]{64}$' THEN
                RAISE EXCEPTION 'auditgen: the tail of log % (sequence %) has a stored hash that is not 64 lower-case hex digits; refusing to extend it', p_log_id, v_next - 1;
            ELSE
                v_previous := decode(v_tail, 'hex');
            END IF;
            -- The right edge of the tree at this size, largest subtree first (RFC 6962 append order).
            FOR v_level IN REVERSE 62..0 LOOP
                IF (v_next >> v_level) & 1 = 1 THEN
                    v_position := 2 * ((((v_next >> v_level) << v_level) - 1)) - bit_count(((((v_next >> v_level) << v_level) - 1))::bit(64)) + v_level;
                    v_node := auditgen.tree_node(p_log_id, v_position);
                    IF v_node IS NULL THEN
                        RAISE EXCEPTION 'auditgen: the Merkle tree of log % has no node at position % that its % records need; a writer that reads the tail under the lock brings it level', p_log_id, v_position, v_next;
                    END IF;
                    v_edge := v_edge || v_node;
                END IF;
            END LOOP;
            v_first := 2 * v_next - bit_count(v_next::bit(64));
            FOR i IN 1 .. coalesce(cardinality(p_before), 0) LOOP
                v_leaf := sha256('\x00'::bytea || p_before[i] || convert_to(encode(v_previous, 'hex'), 'UTF8') || p_between[i]
                                 || convert_to(v_next::text, 'UTF8') || p_after[i]);
                v_hash := sha256('\x617564697467656e3a7631'::bytea || v_previous || v_leaf);
                ord := i;
                sequence := v_next;
                previous_hash := encode(v_previous, 'hex');
                hash := encode(v_hash, 'hex');
                RETURN NEXT;
                -- The leaf, then one parent per trailing one bit of the size before it, in post-order.
                v_run := v_run || v_leaf;
                v_edge := v_edge || v_leaf;
                v_size := v_next;
                WHILE v_size & 1 = 1 LOOP
                    v_node := sha256('\x01'::bytea || v_edge[cardinality(v_edge) - 1] || v_edge[cardinality(v_edge)]);
                    v_edge := v_edge[1 : cardinality(v_edge) - 2] || v_node;
                    v_run := v_run || v_node;
                    v_size := v_size >> 1;
                END LOOP;
                v_previous := v_hash;
                v_next := v_next + 1;
            END LOOP;
            IF length(v_run) > 0 THEN
                INSERT INTO auditgen.tree_nodes (log_id, position, hashes) VALUES (p_log_id, v_first, v_run);
            END IF;
        END
        $fn$;
        """;

    // A group commit appends a contiguous range of post-order positions (the nodes its leaves complete), so the tree is
    // stored as runs: one row per commit, `position` its first node, `hashes` its nodes' hashes end to end, instead of
    // one row and one index entry per node (about two per record, a seventh of a commit's server time). A v2 row is a
    // run of one. Every read goes through auditgen.tree_node, including the prune function's (replaced here, its body
    // otherwise v3's). A property, not a field: the list above is initialized before any field below it.
    private static string V5 => """
        ALTER TABLE auditgen.tree_nodes RENAME COLUMN hash TO hashes;
        ALTER TABLE auditgen.tree_nodes DROP CONSTRAINT tree_nodes_hash_check;
        -- NOT VALID: the rows already there are single nodes, which v2's stricter check held to 32 bytes, so the table
        -- is not scanned under the migration's lock (on a large log that would hold appends up for minutes).
        ALTER TABLE auditgen.tree_nodes ADD CONSTRAINT tree_nodes_hashes_check
            CHECK (length(hashes) >= 32 AND length(hashes) % 32 = 0) NOT VALID;

        -- The node at post-order position p_position of the log's tree, or null if no run holds it. The nearest run that
        -- starts at or before it is the only candidate (runs do not overlap), so a missing node costs one probe too.
        CREATE FUNCTION auditgen.tree_node(p_log_id text, p_position bigint) RETURNS bytea
            LANGUAGE sql STABLE STRICT PARALLEL SAFE AS $fn$
            SELECT CASE WHEN p_position < r.position + length(r.hashes) / 32
                        THEN substring(r.hashes FROM ((p_position - r.position) * 32 + 1)::integer FOR 32) END
              FROM (SELECT n.position, n.hashes FROM auditgen.tree_nodes n
                     WHERE n.log_id = p_log_id AND n.position <= p_position
                     ORDER BY n.position DESC LIMIT 1) r
        $fn$;

        """ + V3PruneFunction
            .Replace("CREATE FUNCTION auditgen.prune_archived_records", "CREATE OR REPLACE FUNCTION auditgen.prune_archived_records")
            .Replace(V3LeafJoin, V5LeafJoin)
            .Replace("has no Merkle leaf in tree_nodes", "has no Merkle leaf in the tree");

    private const string V3LeafJoin = "JOIN auditgen.tree_nodes n ON n.log_id = p_log_id AND n.position = 2 * s.seq - bit_count(s.seq::bit(64))";

    private const string V5LeafJoin =
        "JOIN LATERAL (SELECT auditgen.tree_node(p_log_id, 2 * s.seq - bit_count(s.seq::bit(64))) AS hash) n ON n.hash IS NOT NULL";

    // A writer that finds the tail moved asks for the log's latest checkpoint record. Through records_action that is
    // already one index lookup, but only if the planner picks it: a plan cached on a young table, before any ANALYZE,
    // took records_time with a filter on action instead, reading every record of the log on every miss. This index holds
    // only checkpoint records, so it is the cheapest path for that question whatever the statistics say. (Built in the
    // migration's transaction: on a large existing log, appends wait for it once.)
    private const string V4 = """
        CREATE INDEX records_checkpoints ON auditgen.records (log_id, sequence) WHERE action = 'checkpoint_signed';
        """;

    // Retention archives any selection of records (not only prefixes): each archived record leaves a stub (its chain
    // hash and Merkle leaf) so the live log still verifies alone as one chain, and its segment's facts are recorded
    // first. Records leave only through prune_archived_records, which checks those facts against the records and the
    // tree before it deletes. v1's prefix-only delete_archived_records is dropped (one way out of the table, not two);
    // archive_manifests stays, read-only, as the anchor of logs pruned by it.
    private const string V3 = """
        CREATE TABLE auditgen.archive_segments (
            log_id          text NOT NULL,
            segment_id      text NOT NULL CHECK (segment_id ~ '^[a-z0-9-]{1,100}$'),
            first_sequence  bigint NOT NULL CHECK (first_sequence >= 0),
            last_sequence   bigint NOT NULL,
            count           bigint NOT NULL CHECK (count >= 1),
            merkle_root     bytea NOT NULL CHECK (length(merkle_root) = 32),
            segment_sha256  text NOT NULL CHECK (segment_sha256 ~ '^[0-9a-f]{64}$'),
            location        text NOT NULL,
            created_at      timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (log_id, segment_id),
            CHECK (last_sequence >= first_sequence AND count <= last_sequence - first_sequence + 1)
        );

        CREATE TABLE auditgen.archived_records (
            log_id      text NOT NULL,
            sequence    bigint NOT NULL CHECK (sequence >= 0),
            hash        text NOT NULL,
            leaf        bytea NOT NULL CHECK (length(leaf) = 32),
            segment_id  text NOT NULL,
            PRIMARY KEY (log_id, sequence),
            FOREIGN KEY (log_id, segment_id) REFERENCES auditgen.archive_segments (log_id, segment_id)
        );

        -- A record row may be deleted only by prune_archived_records (the transaction-local auditgen.prune_segment names
        -- its segment) and only once a stub of that segment with the record's hash exists: content never leaves unarchived.
        CREATE OR REPLACE FUNCTION auditgen.refuse_record_change() RETURNS trigger LANGUAGE plpgsql AS $fn$
        BEGIN
            IF TG_OP = 'DELETE' AND TG_TABLE_NAME = 'records'
               AND coalesce(current_setting('auditgen.prune_segment', true), '') <> '' THEN
                IF EXISTS (SELECT 1 FROM auditgen.archived_records a
                           WHERE a.log_id = OLD.log_id AND a.sequence = OLD.sequence AND a.hash = OLD.hash
                             AND a.segment_id = current_setting('auditgen.prune_segment', true)) THEN
                    RETURN OLD;
                END IF;
                RAISE EXCEPTION 'auditgen: record % of log % has no stub in segment %; it cannot be deleted',
                    OLD.sequence, OLD.log_id, current_setting('auditgen.prune_segment', true);
            END IF;
            RAISE EXCEPTION 'auditgen: % refused on %.%: audit records are append-only', TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME
                USING HINT = 'Records leave only through auditgen.prune_archived_records, after they were archived.';
        END
        $fn$;

        CREATE TRIGGER archive_segments_append_only BEFORE UPDATE OR DELETE ON auditgen.archive_segments
            FOR EACH ROW EXECUTE FUNCTION auditgen.refuse_record_change();
        CREATE TRIGGER archive_segments_no_truncate BEFORE TRUNCATE ON auditgen.archive_segments
            FOR EACH STATEMENT EXECUTE FUNCTION auditgen.refuse_truncate();
        CREATE TRIGGER archived_records_append_only BEFORE UPDATE OR DELETE ON auditgen.archived_records
            FOR EACH ROW EXECUTE FUNCTION auditgen.refuse_record_change();
        CREATE TRIGGER archived_records_no_truncate BEFORE TRUNCATE ON auditgen.archived_records
            FOR EACH STATEMENT EXECUTE FUNCTION auditgen.refuse_truncate();

        DROP FUNCTION auditgen.delete_archived_records(text, bigint);

        """ + "\n" + V3PruneFunction;

    // v3's prune function (v5 replaces it with one that reads the tree through auditgen.tree_node).
    private const string V3PruneFunction = """
        -- The only way records leave. Checks, under the appenders' lock, that the segment row describes exactly these
        -- records, that the log recorded the archive (archive_created) and that they may go, then replaces them by
        -- stubs. Returns how many records it removed: 0 when the segment was pruned already (a rerun after a crash).
        -- Runs as the schema owner; the caller needs only EXECUTE.
        CREATE FUNCTION auditgen.prune_archived_records(p_log_id text, p_segment_id text, p_sequences bigint[]) RETURNS bigint
            LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
        DECLARE
            v_segment auditgen.archive_segments%ROWTYPE;
            v_n bigint := coalesce(cardinality(p_sequences), 0);
            v_head bigint;
            v_bad record;
            v_level bytea[];
            v_next bytea[];
            v_i integer;
            v_deleted bigint;
        BEGIN
            PERFORM pg_advisory_xact_lock(1096107079, hashtext(p_log_id));
            SELECT * INTO v_segment FROM auditgen.archive_segments WHERE log_id = p_log_id AND segment_id = p_segment_id;
            IF NOT FOUND THEN
                RAISE EXCEPTION 'auditgen: log %, segment %: no archive_segments row describes it; record the archived segment before pruning', p_log_id, p_segment_id;
            END IF;
            IF v_n = 0 OR array_position(p_sequences, NULL) IS NOT NULL THEN
                RAISE EXCEPTION 'auditgen: log %, segment %: name at least one sequence, and no null', p_log_id, p_segment_id;
            END IF;
            -- One dimension, indexed from 1, whatever bounds the caller's array had.
            p_sequences := ARRAY(SELECT s.seq FROM unnest(p_sequences) WITH ORDINALITY AS s(seq, i) ORDER BY s.i);
            SELECT u.seq, u.prev INTO v_bad
              FROM (SELECT seq, lag(seq) OVER (ORDER BY i) AS prev FROM unnest(p_sequences) WITH ORDINALITY AS s(seq, i)) u
             WHERE u.prev IS NOT NULL AND u.seq <= u.prev LIMIT 1;
            IF FOUND THEN
                RAISE EXCEPTION 'auditgen: log %, segment %: sequence % follows %; the sequences must be ascending and distinct', p_log_id, p_segment_id, v_bad.seq, v_bad.prev;
            END IF;
            IF v_n <> v_segment.count OR p_sequences[1] IS DISTINCT FROM v_segment.first_sequence
               OR p_sequences[v_n] IS DISTINCT FROM v_segment.last_sequence THEN
                RAISE EXCEPTION 'auditgen: log %, segment %: the % sequences % to % are not the segment''s % records % to %',
                    p_log_id, p_segment_id, v_n, p_sequences[1], p_sequences[v_n], v_segment.count, v_segment.first_sequence, v_segment.last_sequence;
            END IF;
            IF (SELECT count(*) FROM auditgen.archived_records a WHERE a.log_id = p_log_id AND a.segment_id = p_segment_id
                  AND a.sequence = ANY (p_sequences)) = v_n THEN
                RETURN 0;
            END IF;

            SELECT s.seq, a.segment_id INTO v_bad
              FROM unnest(p_sequences) AS s(seq)
              LEFT JOIN auditgen.archived_records a ON a.log_id = p_log_id AND a.sequence = s.seq
             WHERE NOT EXISTS (SELECT 1 FROM auditgen.records r WHERE r.log_id = p_log_id AND r.sequence = s.seq)
             ORDER BY s.seq LIMIT 1;
            IF FOUND THEN
                IF v_bad.segment_id IS NOT NULL THEN
                    RAISE EXCEPTION 'auditgen: log %, segment %: sequence % was already archived (segment %); it cannot be archived again', p_log_id, p_segment_id, v_bad.seq, v_bad.segment_id;
                END IF;
                RAISE EXCEPTION 'auditgen: log %, segment %: sequence % is not a record of the log', p_log_id, p_segment_id, v_bad.seq;
            END IF;
            SELECT max(sequence) INTO v_head FROM auditgen.records WHERE log_id = p_log_id;
            IF p_sequences[v_n] >= v_head THEN
                RAISE EXCEPTION 'auditgen: log %, segment %: sequence % is the chain''s newest record; it is never archived (the next append continues from it)', p_log_id, p_segment_id, v_head;
            END IF;
            SELECT r.sequence, r.action INTO v_bad FROM auditgen.records r
             WHERE r.log_id = p_log_id AND r.sequence = ANY (p_sequences)
               AND r.action IN ('checkpoint_signed', 'archive_created', 'retention_applied', 'subject_erased',
                                'legal_hold_placed', 'legal_hold_released', 'retention_policy_changed')
             ORDER BY r.sequence LIMIT 1;
            IF FOUND THEN
                RAISE EXCEPTION 'auditgen: log %, segment %: sequence % is a % record; the log''s own metadata is never archived', p_log_id, p_segment_id, v_bad.sequence, v_bad.action;
            END IF;

            -- The log itself must record the archive before records leave it: an archive_created record of this segment
            -- with the row's count, range, Merkle root and SHA-256 (a removal nobody can read about in the chain is refused).
            IF NOT EXISTS (
                SELECT 1 FROM auditgen.records c
                 WHERE c.log_id = p_log_id AND c.action = 'archive_created' AND c.actor_type = 'system'
                   AND c.resource_type = 'archive_segment' AND c.resource_id = p_segment_id
                   AND c.details IS NOT NULL AND left(c.details, 1) = '{'
                   AND (c.details::jsonb ->> 'segment') = p_segment_id
                   AND (c.details::jsonb ->> 'count') = v_segment.count::text
                   AND (c.details::jsonb ->> 'firstSequence') = v_segment.first_sequence::text
                   AND (c.details::jsonb ->> 'lastSequence') = v_segment.last_sequence::text
                   AND (c.details::jsonb ->> 'merkleRoot') = encode(v_segment.merkle_root, 'hex')
                   AND (c.details::jsonb ->> 'sha256') = v_segment.segment_sha256) THEN
                RAISE EXCEPTION 'auditgen: log %, segment %: no archive_created record of the log describes this segment (count, range, Merkle root, SHA-256); the log must record the archive before records leave it', p_log_id, p_segment_id;
            END IF;

            -- Each record's Merkle leaf (tree_nodes, at its post-order position) chained onto its previous hash must give
            -- its hash, and its previous hash must be the hash of the record (or stub) before it. (No temporary table:
            -- the caller's session could have planted one, with triggers that would run as the owner.)
            SELECT s.seq INTO v_bad
              FROM unnest(p_sequences) WITH ORDINALITY AS s(seq, i)
              LEFT JOIN auditgen.tree_nodes n ON n.log_id = p_log_id AND n.position = 2 * s.seq - bit_count(s.seq::bit(64))
             WHERE n.hash IS NULL ORDER BY s.i LIMIT 1;
            IF FOUND THEN
                RAISE EXCEPTION 'auditgen: log %, segment %: sequence % has no Merkle leaf in tree_nodes; open a writer of this log first', p_log_id, p_segment_id, v_bad.seq;
            END IF;
            SELECT s.seq INTO v_bad
              FROM unnest(p_sequences) WITH ORDINALITY AS s(seq, i)
              JOIN auditgen.records r ON r.log_id = p_log_id AND r.sequence = s.seq
              JOIN auditgen.tree_nodes n ON n.log_id = p_log_id AND n.position = 2 * s.seq - bit_count(s.seq::bit(64))
             WHERE r.hash !~ '^[0-9a-f]{64}$' OR r.previous_hash !~ '^[0-9a-f]{64}$'
                OR sha256('\x617564697467656e3a7631'::bytea || decode(r.previous_hash, 'hex') || n.hash) <> decode(r.hash, 'hex')
                OR r.previous_hash <> CASE WHEN s.seq = 0 THEN repeat('0', 64) ELSE coalesce(
                       (SELECT b.hash FROM auditgen.records b WHERE b.log_id = p_log_id AND b.sequence = s.seq - 1),
                       (SELECT b.hash FROM auditgen.archived_records b WHERE b.log_id = p_log_id AND b.sequence = s.seq - 1), '') END
             ORDER BY s.i LIMIT 1;
            IF FOUND THEN
                RAISE EXCEPTION 'auditgen: log %, segment %: sequence % does not chain: its Merkle leaf onto its previous hash does not give its hash, or its previous hash is not the hash before it', p_log_id, p_segment_id, v_bad.seq;
            END IF;

            -- RFC 6962 root of the leaves in order: pair level by level, an odd last node moves up unchanged.
            SELECT array_agg(n.hash ORDER BY s.i) INTO v_level
              FROM unnest(p_sequences) WITH ORDINALITY AS s(seq, i)
              JOIN auditgen.tree_nodes n ON n.log_id = p_log_id AND n.position = 2 * s.seq - bit_count(s.seq::bit(64));
            WHILE cardinality(v_level) > 1 LOOP
                v_next := '{}';
                v_i := 1;
                WHILE v_i <= cardinality(v_level) LOOP
                    IF v_i = cardinality(v_level) THEN
                        v_next := v_next || v_level[v_i];
                    ELSE
                        v_next := v_next || sha256('\x01'::bytea || v_level[v_i] || v_level[v_i + 1]);
                    END IF;
                    v_i := v_i + 2;
                END LOOP;
                v_level := v_next;
            END LOOP;
            IF v_level[1] <> v_segment.merkle_root THEN
                RAISE EXCEPTION 'auditgen: log %, segment %: the Merkle root of the records'' leaves is %, the segment row says %; nothing was pruned',
                    p_log_id, p_segment_id, encode(v_level[1], 'hex'), encode(v_segment.merkle_root, 'hex');
            END IF;

            INSERT INTO auditgen.archived_records (log_id, sequence, hash, leaf, segment_id)
            SELECT p_log_id, s.seq, r.hash, n.hash, p_segment_id
              FROM unnest(p_sequences) AS s(seq)
              JOIN auditgen.records r ON r.log_id = p_log_id AND r.sequence = s.seq
              JOIN auditgen.tree_nodes n ON n.log_id = p_log_id AND n.position = 2 * s.seq - bit_count(s.seq::bit(64));
            PERFORM set_config('auditgen.prune_segment', p_segment_id, true);
            DELETE FROM auditgen.records WHERE log_id = p_log_id AND sequence = ANY (p_sequences);
            GET DIAGNOSTICS v_deleted = ROW_COUNT;
            PERFORM set_config('auditgen.prune_segment', '', true);
            RETURN v_deleted;
        END
        $fn$;
        REVOKE ALL ON FUNCTION auditgen.prune_archived_records(text, text, bigint[]) FROM PUBLIC;
        """;

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
