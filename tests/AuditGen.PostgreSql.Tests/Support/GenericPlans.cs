using System.Text.Json;
using Npgsql;

namespace AuditGen.PostgreSql.Tests.Support;

/// <summary>
/// Generic plans of the store's statements: prepared statements settle on them early, on a young table no ANALYZE has
/// seen, so a statement whose generic plan reads the log through a wrong index gets slower as the log grows.
/// </summary>
internal static class GenericPlans
{
    /// <summary>A read of <c>records</c> or <c>tree_nodes</c> in a plan: how, through which index, with which filter.</summary>
    public sealed record Scan(string Relation, string NodeType, string? Index, string? Filter);

    /// <summary>The reads of the log in the generic plan of <paramref name="sql"/> (the plan a prepared statement settles on).</summary>
    public static async Task<List<Scan>> ScansAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using (var generic = new NpgsqlCommand("SET plan_cache_mode = force_generic_plan", connection))
            await generic.ExecuteNonQueryAsync();
        await using (var prepare = new NpgsqlCommand($"PREPARE statement AS {sql}", connection))
            await prepare.ExecuteNonQueryAsync();
        int parameters;
        await using (var count = new NpgsqlCommand("SELECT cardinality(parameter_types) FROM pg_prepared_statements WHERE name = 'statement'", connection))
            parameters = (int)(await count.ExecuteScalarAsync())!;
        // A generic plan does not depend on the values: nulls stand for them.
        var arguments = string.Join(", ", Enumerable.Repeat("NULL", parameters));
        await using var explain = new NpgsqlCommand($"EXPLAIN (FORMAT JSON) EXECUTE statement({arguments})", connection);
        var plan = JsonDocument.Parse((string)(await explain.ExecuteScalarAsync())!);
        var scans = new List<Scan>();
        Collect(plan.RootElement[0].GetProperty("Plan"), scans);
        return scans;
    }

    private static void Collect(JsonElement node, List<Scan> scans)
    {
        var type = node.GetProperty("Node Type").GetString()!;
        if (type != "ModifyTable" && node.TryGetProperty("Relation Name", out var relation) && relation.GetString() is "records" or "tree_nodes")
            scans.Add(new Scan(relation.GetString()!, type, Text(node, "Index Name"), Text(node, "Filter")));
        else if (type == "Bitmap Index Scan")
            scans.Add(new Scan("(the bitmap heap scan's)", type, Text(node, "Index Name"), null));
        if (node.TryGetProperty("Plans", out var children))
        {
            foreach (var child in children.EnumerateArray())
                Collect(child, scans);
        }
    }

    private static string? Text(JsonElement node, string property) =>
        node.TryGetProperty(property, out var value) ? value.GetString() : null;
}
