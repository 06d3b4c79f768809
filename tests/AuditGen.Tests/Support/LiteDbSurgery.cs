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

/// <summary>Cuts a closed trail's tail off in both copies (query store and journal), as an attacker who knows the layout would.</summary>
internal static class TailSurgery
{
    public static void KeepFirst(TrailFolder folder, long keep)
    {
        LiteDbSurgery.Edit(folder.DbPath, records => records.DeleteMany(Query.GTE("_id", keep)));
        long cut;
        using (var stream = File.OpenRead(folder.JournalPath))
        using (var reader = new AuditGen.Storage.Journal.JournalReader(stream, folder.JournalPath))
        {
            while (reader.FrameCount < keep && reader.TryReadNext(out _)) { }
            cut = reader.Offset;
        }
        using var journal = new FileStream(folder.JournalPath, FileMode.Open);
        journal.SetLength(cut);
    }
}
