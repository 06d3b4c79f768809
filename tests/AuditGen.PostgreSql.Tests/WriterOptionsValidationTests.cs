using AuditGen.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace AuditGen.PostgreSql.Tests;

/// <summary>
/// Out-of-range <see cref="PostgreSqlWriterOptions"/> are refused by name before anything is opened (no server needed).
/// </summary>
public sealed class WriterOptionsValidationTests
{
    private const string LogId = "writer-options";

    // Nothing listens there: a refusal must come from the check, not from connecting.
    private const string Unreachable = "Host=127.0.0.1;Port=1;Username=nobody;Timeout=1";

    public static TheoryData<string, TimeSpan> OutOfRange => new()
    {
        { nameof(PostgreSqlWriterOptions.RetryTimeout), TimeSpan.FromSeconds(-1) },
        { nameof(PostgreSqlWriterOptions.RetryTimeout), TimeSpan.FromHours(2) },
        { nameof(PostgreSqlWriterOptions.HeldLockTimeout), TimeSpan.FromMilliseconds(50) },
        { nameof(PostgreSqlWriterOptions.HeldLockTimeout), TimeSpan.FromMinutes(11) },
        { nameof(PostgreSqlWriterOptions.IdleConnectionTimeout), TimeSpan.FromMilliseconds(500) },
        { nameof(PostgreSqlWriterOptions.IdleConnectionTimeout), TimeSpan.FromDays(2) },
    };

    private static PostgreSqlWriterOptions With(string setting, TimeSpan value) => setting switch
    {
        nameof(PostgreSqlWriterOptions.RetryTimeout) => new PostgreSqlWriterOptions { RetryTimeout = value },
        nameof(PostgreSqlWriterOptions.HeldLockTimeout) => new PostgreSqlWriterOptions { HeldLockTimeout = value },
        _ => new PostgreSqlWriterOptions { IdleConnectionTimeout = value },
    };

    [Theory]
    [MemberData(nameof(OutOfRange))]
    public async Task An_out_of_range_setting_is_refused_by_name_before_the_database_is_reached(string setting, TimeSpan value)
    {
        var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() =>
            PostgreSqlAuditTrail.OpenAsync(Unreachable, LogId, options: null, With(setting, value)));

        Assert.Equal("writer", error.ParamName);
        Assert.Contains($"PostgreSqlWriterOptions.{setting} must be between", error.Message);
    }

    [Theory]
    [MemberData(nameof(OutOfRange))]
    public void UsePostgreSql_refuses_an_out_of_range_setting_when_the_trail_is_registered(string setting, TimeSpan value)
    {
        var services = new ServiceCollection();

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => services.AddAuditTrail(o => o.UsePostgreSql(Unreachable, LogId, writer =>
        {
            var wanted = With(setting, value);
            writer.RetryTimeout = wanted.RetryTimeout;
            writer.HeldLockTimeout = wanted.HeldLockTimeout;
            writer.IdleConnectionTimeout = wanted.IdleConnectionTimeout;
        })));

        Assert.Contains($"PostgreSqlWriterOptions.{setting} must be between", error.Message);
    }
}
