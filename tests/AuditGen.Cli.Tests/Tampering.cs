using LiteDB;

namespace AuditGen.Cli.Tests;

/// <summary>Edits a stored record behind the trail's back, as someone with access to the file could.</summary>
internal static class Tampering
{
    /// <summary>
    /// Changes the classification of the record at <paramref name="position"/> (in stored order) of the collection that
    /// holds records, and returns that record's sequence number. The collection is found by content, not by name.
    /// </summary>
    public static long ChangeClassification(string path, int position)
    {
        using var db = new LiteDatabase(new ConnectionString { Filename = path, Connection = ConnectionType.Direct });
        var (collection, documents) = db.GetCollectionNames()
            .Where(name => !name.StartsWith('$'))
            .Select(name => db.GetCollection(name))
            .Select(c => (Collection: c, Documents: c.FindAll().Where(d => Key(d, "classification") is not null).ToList()))
            .First(c => c.Documents.Count > position);

        var document = documents.OrderBy(d => Sequence(d) ?? long.MaxValue).ElementAt(position);
        var key = Key(document, "classification")!;
        document[key] = document[key] switch
        {
            { IsString: true } value => value.AsString == "public" ? "internal" : "public",
            { IsInt32: true } value => value.AsInt32 == 0 ? 1 : 0,
            { IsInt64: true } value => value.AsInt64 == 0 ? 1L : 0L,
            var other => throw new InvalidOperationException($"Unexpected classification value {other}."),
        };
        Assert.True(collection.Update(document), "the tampered document was not written back");

        return Sequence(document) ?? position;
    }

    private static string? Key(BsonDocument document, string name) =>
        document.Keys.FirstOrDefault(k => string.Equals(k, name, StringComparison.OrdinalIgnoreCase));

    private static long? Sequence(BsonDocument document)
    {
        foreach (var name in new[] { "sequence", "seq", "_id" })
        {
            if (Key(document, name) is { } key && document[key].IsNumber)
                return document[key].AsInt64;
        }
        return null;
    }
}
