namespace AuditGen.Storage.Journal;

/// <summary>
/// Keeps this process's journal readers (verification) and the pruner's in-place rewrites apart, so no reader sees a
/// frame half overwritten. Not tied to a thread (readers may hop threads between awaits). Appends at the tail never take
/// it: a rewrite only touches frames long durable, before the tail.
/// </summary>
internal sealed class JournalRewriteGate
{
    private readonly object _gate = new();
    private int _readers;
    private bool _writing;

    /// <summary>Enters as a reader; dispose the result to leave.</summary>
    public Scope Read()
    {
        lock (_gate)
        {
            while (_writing)
                Monitor.Wait(_gate);
            _readers++;
        }
        return new Scope(this, writer: false);
    }

    /// <summary>Enters as the writer, once no reader is inside; dispose the result to leave.</summary>
    public Scope Write()
    {
        lock (_gate)
        {
            while (_writing || _readers > 0)
                Monitor.Wait(_gate);
            _writing = true;
        }
        return new Scope(this, writer: true);
    }

    private void Leave(bool writer)
    {
        lock (_gate)
        {
            if (writer)
                _writing = false;
            else
                _readers--;
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>A held gate.</summary>
    public readonly struct Scope(JournalRewriteGate gate, bool writer) : IDisposable
    {
        /// <inheritdoc />
        public void Dispose() => gate.Leave(writer);
    }
}
