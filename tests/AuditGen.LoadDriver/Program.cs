// Usage:
//   AuditGen.LoadDriver append --postgres CS --log ID | --litedb PATH
//                      --writers N --count N [--acks FILE] [--wait-for-go]
//       N concurrent writers each append --count records; each acknowledged record is written to FILE as
//       "ACK <sequence> <hash> <id>" before the next append of that writer. Prints READY once open (then waits for a
//       line "GO" on stdin with --wait-for-go), "PROGRESS <acked>" every 500 acks, "DONE <acked> <elapsed ms>" at the end.
//       With --plain (and --postgres) the writers insert the same records into the benchmark's baseline table instead
//       (PlainInserts: one durable INSERT per record, no AuditGen); READY, GO and DONE as above.
//   AuditGen.LoadDriver bench --postgres CS [--records N] [--max-total N] [--rounds N] [--litedb-dir DIR] [--only 1x16,4x4]
//       The load benchmark of docs/benchmarks.md: records/s for 1, 4 and 16 writers per process in 1 and 4 processes
//       against PostgreSQL, against the same writers' plain durable INSERTs into a table of the same shape (the
//       baseline), and 1 process against LiteDB, in the same run. Prints a Markdown table. --only picks rows
//       (processes x writers per process).
using AuditGen.LoadDriver;

return args.Length > 0 && args[0] == "bench"
    ? await Bench.RunAsync(Arguments.Parse(args[1..]))
    : args.Length > 0 && args[0] == "append"
        ? await Append.RunAsync(Arguments.Parse(args[1..]))
        : Usage();

static int Usage()
{
    Console.Error.WriteLine("usage: AuditGen.LoadDriver append|bench [options] (see Program.cs)");
    return 2;
}
