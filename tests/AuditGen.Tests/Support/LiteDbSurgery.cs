using AuditGen.Storage;
using LiteDB;

namespace AuditGen.Tests.Support;

/// <summary>Edits a closed trail's LiteDB file directly, as an attacker or a crash would.</summary>
internal static class LiteDbSurgery
{
    public static void Edit(string path, Action<ILiteCollection<BsonDocument>> edit)
    {
        using var database = new LiteDatabase(new ConnectionString { Filename = path, Connection = ConnectionType.Direct });
        edit(database.GetCollection(LiteDbRecordMapping.CollectionName));
    }

    /// <summary>Moves every document at or after <paramref name="from"/> one position later (to make room for an insertion).</summary>
    public static void ShiftUp(ILiteCollection<BsonDocument> records, long from)
    {
        var moved = records.Find(Query.GTE("_id", from)).OrderByDescending(d => d["_id"].AsInt64).ToList();
        foreach (var document in moved)
        {
            records.Delete(document["_id"]);
            document["_id"] = document["_id"].AsInt64 + 1;
            records.Insert(document);
        }
    }

    public static BsonDocument Copy(BsonDocument document, long newPosition)
    {
        var copy = new BsonDocument();
        foreach (var (key, value) in document)
            copy[key] = value;
        copy["_id"] = newPosition;
        return copy;
    }
}
