using AuditGen.Storage;
using AuditGen.PostgreSql.Schema;
using Npgsql;

namespace AuditGen.PostgreSql.Storage;

/// <summary>
/// The statements of one group commit. Whether the batch went in is told by a session setting, not by looking its
/// records up: the insert statement sets <see cref="MarkerSetting"/> to the batch's marker (its first record id) in the
/// same transaction, so the setting holds the marker exactly when that transaction committed with the rows (a rolled-back
/// transaction rolls its setting back too), and the statements after COMMIT test it in constant time. A lookup by id
/// would leave the plan to the planner, and a plan cached on a young table, before any ANALYZE, may scan every record
/// of the log through another index (it did: every commit got slower as the log grew).
/// </summary>
internal static class GroupCommitStatements
{
    /// <summary>The session setting (a custom placeholder any role may set) that names the last batch this session committed.</summary>
    public const string MarkerSetting = "auditgen.committed_batch";

    private const string Marker = "current_setting('" + MarkerSetting + "', true)";

    /// <summary>
    /// One statement inserts a whole group commit, records and tree nodes, only if the log's tail still is the one
    /// the batch was linked onto: <c>$1</c> the log id; <c>$2</c>…<c>$30</c> the records' columns
    /// (<see cref="RecordRows.AddColumnParameters"/>); <c>$31</c>, <c>$32</c> the expected last sequence (−1 for an empty
    /// log) and hash (empty); <c>$33</c>, <c>$34</c> the batch's run of tree nodes
    /// (<see cref="TreeNodes.AddRunParameters"/>); <c>$35</c> the batch's marker. It returns one row, <c>inserted</c>. The
    /// tail checks read the primary key backwards, the one plan there is.
    /// </summary>
    public const string InsertBatchSql =
        "WITH batch AS (" + RecordRows.InsertSql +
        " WHERE coalesce((SELECT sequence FROM auditgen.records WHERE log_id = $1 ORDER BY sequence DESC LIMIT 1), -1) = $31" +
        " AND coalesce((SELECT hash FROM auditgen.records WHERE log_id = $1 ORDER BY sequence DESC LIMIT 1), '') = $32" +
        " RETURNING 1), " +
        "nodes AS (INSERT INTO auditgen.tree_nodes (log_id, position, hashes) SELECT $1, $33, $34 WHERE EXISTS (SELECT FROM batch)) " +
        "SELECT set_config('" + MarkerSetting + "', CASE WHEN EXISTS (SELECT FROM batch) THEN $35 ELSE '' END, false) <> '' AS inserted";

    /// <summary>
    /// One statement inserts a group commit linked by the database (<c>auditgen.link_batch</c>, schema version 6) onto
    /// the tail as it is under the lock, which this session holds: <c>$1</c> the log id; <c>$2</c>…<c>$30</c> the records'
    /// columns, whose sequence, previous hash and hash are placeholders; <c>$31</c>…<c>$33</c> each record's
    /// <see cref="CanonicalCut"/> (bytea[] each); <c>$34</c> the batch's marker. It returns one row per record in order:
    /// <c>ord</c>, <c>sequence</c>, <c>previous_hash</c>, <c>hash</c>, and marks the session.
    /// </summary>
    public static readonly string InsertLinkedBatchSql =
        "WITH link AS MATERIALIZED (SELECT * FROM auditgen.link_batch($1, $31, $32, $33)), batch AS (" + LinkedInsert() + " RETURNING 1) " +
        "SELECT l.ord, l.sequence, l.previous_hash, l.hash, set_config('" + MarkerSetting + "', $34, false) AS marked FROM link l ORDER BY l.ord";

    // RecordRows.InsertSql with the three linked columns taken from `link`, row by row.
    private static string LinkedInsert()
    {
        var sql = RecordRows.InsertSql;
        string Swap(string from, string to) => sql.Contains(from, StringComparison.Ordinal)
            ? sql.Replace(from, to, StringComparison.Ordinal)
            : throw new InvalidOperationException($"RecordRows.InsertSql no longer contains '{from}'.");
        sql = Swap("SELECT $1, u.sequence,", "SELECT $1, l.sequence,");
        sql = Swap("u.previous_hash, u.hash FROM", "l.previous_hash, l.hash FROM");
        sql = Swap(") AS u(sequence,", ") WITH ORDINALITY AS u(sequence,");
        const string end = "previous_hash, hash)";
        if (!sql.EndsWith(end, StringComparison.Ordinal))
            throw new InvalidOperationException($"RecordRows.InsertSql no longer ends with '{end}'.");
        return sql[..^end.Length] + "previous_hash, hash, ord) JOIN link l ON l.ord = u.ord";
    }

    /// <summary>Releases the session's tail lock of log <c>$1</c> only when the batch with marker <c>$2</c> went in.</summary>
    public const string UnlockIfCommittedSql = AdvisoryLocks.UnlockLogSql + " WHERE " + Marker + " = $2";

    /// <summary>
    /// Outside any transaction block, so in the implicit transaction that ends with the round trip: a transactional
    /// logical message only when the batch with marker <c>$1</c> went in, whose synchronous commit then flushes the WAL
    /// through the batch (committed asynchronously). Nothing is written otherwise.
    /// </summary>
    public const string FlushIfCommittedSql = "SELECT pg_logical_emit_message(true, 'auditgen', ''::text) WHERE " + Marker + " = $1";

    /// <summary>The same flush, unconditional: for a batch found committed on another connection.</summary>
    public const string FlushSql = "SELECT pg_logical_emit_message(true, 'auditgen', ''::text)";

    /// <summary>
    /// <see cref="TreeNodes.TailSql"/> only when the batch with marker <c>$2</c> did not go in (a missed tail); otherwise
    /// no rows, and the writer continues from the tail its own commit left.
    /// </summary>
    public const string TailAfterMissSql = "SELECT * FROM (" + TreeNodes.TailSql + ") AS tail WHERE " + Marker + " IS DISTINCT FROM $2";

    /// <summary>
    /// Only when the batch with marker <c>$1</c> did not go in, so the session keeps the log's lock across the client's
    /// turnaround: the server ends the session if it then stays idle longer than <c>$2</c> milliseconds, and the lock
    /// with it, so a writer that stalls (a paused VM, a stopped process) cannot hold up the log's other writers.
    /// </summary>
    public const string GuardHeldLockSql = "SELECT set_config('idle_session_timeout', $2, false) WHERE " + Marker + " IS DISTINCT FROM $1";

    /// <summary>Ends that guard once the lock is released: the session's own setting again.</summary>
    public const string ReleaseGuardSql = "RESET idle_session_timeout";

    /// <summary>The same guard for a transaction that holds the log's lock while the client links (the locked path).</summary>
    public const string GuardLockedTransactionSql = "SELECT set_config('idle_in_transaction_session_timeout', $1, true)";

    /// <summary>The marker of a batch: its first record's id, which every attempt of the batch keeps.</summary>
    public static string MarkerOf(SequencedBatch batch) => batch.Records[0].Id.ToString("D");

    /// <summary>The batch's marker as a statement parameter.</summary>
    public static NpgsqlParameter<string> MarkerParameter(SequencedBatch batch) => new() { TypedValue = MarkerOf(batch) };

    /// <summary>The parameters of <see cref="InsertBatchSql"/>.</summary>
    public static void AddInsertBatchParameters(NpgsqlParameterCollection parameters, string logId, SequencedBatch batch,
        ChainTail expected, IReadOnlyList<(long Position, byte[] Hash)> nodes)
    {
        RecordRows.AddColumnParameters(parameters, logId, batch.Records);
        parameters.Add(new NpgsqlParameter<long> { TypedValue = expected.NextSequence - 1 });
        parameters.Add(new NpgsqlParameter<string> { TypedValue = expected.NextSequence == 0 ? "" : expected.PreviousHash });
        TreeNodes.AddRunParameters(parameters, nodes);
        parameters.Add(MarkerParameter(batch));
    }
}
