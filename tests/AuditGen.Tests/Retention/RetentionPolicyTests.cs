using AuditGen.Retention;

namespace AuditGen.Tests.Retention;

public sealed class RetentionPolicyTests
{
    private static readonly DateTimeOffset March14 = new(2025, 3, 14, 9, 26, 53, TimeSpan.Zero);

    [Theory]
    [InlineData("hipaa", "P6Y", null)]
    [InlineData("soc2", "P1Y", null)]
    [InlineData("financial", "P7Y", null)]
    [InlineData("pci", "P1Y", "P3M")]
    [InlineData("eu-ai-act", "P6M", null)]
    [InlineData("gdpr", "P1Y", null)]
    [InlineData("default", "P1Y", null)]
    public void The_built_in_policies_keep_records_as_their_regimes_require(string name, string retention, string? hot)
    {
        var policy = RetentionPolicySet.Defaults.Policies[name];

        Assert.Equal(retention, policy.Retention.ToString());
        Assert.Equal(hot, policy.Hot?.ToString());
    }

    [Fact]
    public void Years_are_calendar_years_from_the_records_utc_timestamp()
    {
        var hipaa = RetentionPolicySet.Defaults.Policies["hipaa"];

        Assert.Equal(new DateTimeOffset(2031, 3, 14, 9, 26, 53, TimeSpan.Zero), hipaa.ExpiresAt(March14));
        Assert.Equal(new DateTimeOffset(2031, 3, 14, 9, 26, 53, TimeSpan.Zero), hipaa.ExpiresAt(March14.ToOffset(TimeSpan.FromHours(-8))));
    }

    [Fact]
    public void A_leap_day_record_is_kept_until_the_first_of_march_never_a_day_short()
    {
        var leapDay = new DateTimeOffset(2024, 2, 29, 23, 0, 0, TimeSpan.Zero);

        Assert.Equal(new DateTimeOffset(2025, 3, 1, 23, 0, 0, TimeSpan.Zero), RetentionPeriod.FromYears(1).AddTo(leapDay));
        Assert.Equal(new DateTimeOffset(2028, 2, 29, 23, 0, 0, TimeSpan.Zero), RetentionPeriod.FromYears(4).AddTo(leapDay));
        Assert.Equal(new DateTimeOffset(2025, 3, 1, 8, 0, 0, TimeSpan.Zero),
            RetentionPeriod.FromMonths(1).AddTo(new DateTimeOffset(2025, 1, 31, 8, 0, 0, TimeSpan.Zero)));
    }

    [Theory]
    [InlineData("P6Y", 6, 0, 0)]
    [InlineData("P6M", 0, 6, 0)]
    [InlineData("P1Y6M", 1, 6, 0)]
    [InlineData("P90D", 0, 0, 90)]
    [InlineData("P2W", 0, 0, 14)]
    [InlineData("P1Y2M3D", 1, 2, 3)]
    public void Periods_parse_from_iso_8601_date_durations(string text, int years, int months, int days)
    {
        Assert.Equal(new RetentionPeriod(years, months, days), RetentionPeriod.Parse(text));
    }

    [Theory]
    [InlineData("")]
    [InlineData("6y")]
    [InlineData("P")]
    [InlineData("P0Y")]
    [InlineData("P6M1Y")]
    [InlineData("PT12H")]
    [InlineData("P-1Y")]
    [InlineData("P1Y1Y")]
    public void Text_that_is_not_a_positive_date_duration_is_refused(string text)
    {
        Assert.False(RetentionPeriod.TryParse(text, out _));
        Assert.Contains("P6Y", Assert.Throws<FormatException>(() => RetentionPeriod.Parse(text)).Message);
    }

    [Fact]
    public void A_record_is_kept_as_long_as_its_longest_domain_requires()
    {
        var set = RetentionPolicySet.Defaults;

        var (policy, expiry) = set.Decide(ComplianceDomain.Soc2 | ComplianceDomain.Hipaa | ComplianceDomain.Pci, March14);

        Assert.Equal("hipaa", policy.Name);
        Assert.Equal(March14.AddYears(6), expiry);
        Assert.Equal("financial", set.Decide(ComplianceDomain.Hipaa | ComplianceDomain.Financial, March14).Policy.Name);
    }

    [Fact]
    public void A_record_without_a_domain_follows_the_default_policy()
    {
        Assert.Equal("default", RetentionPolicySet.Defaults.Decide(ComplianceDomain.None, March14).Policy.Name);
    }

    [Fact]
    public void Equally_long_domains_are_decided_by_the_first_in_flag_order()
    {
        Assert.Equal("soc2", RetentionPolicySet.Defaults.Decide(ComplianceDomain.Pci | ComplianceDomain.Soc2, March14).Policy.Name);
    }

    [Fact]
    public void A_custom_policy_mapped_to_a_domain_decides_its_records()
    {
        var options = new RetentionOptions { Policies = { new RetentionPolicy("state-medical", RetentionPeriod.FromYears(10)) } };
        options.Domains[ComplianceDomain.Hipaa] = "state-medical";

        var set = RetentionPolicySet.Create(options);

        Assert.Equal("state-medical", set.Decide(ComplianceDomain.Hipaa | ComplianceDomain.Financial, March14).Policy.Name);
    }

    [Fact]
    public void An_unknown_policy_name_is_refused_naming_it_and_the_known_ones()
    {
        var options = new RetentionOptions();
        options.Domains[ComplianceDomain.Soc2] = "soc-2";

        var error = Assert.Throws<RetentionConfigurationException>(() => RetentionPolicySet.Create(options));

        Assert.Contains("'soc-2'", error.Message);
        Assert.Contains("Known policies: default, eu-ai-act, financial, gdpr, hipaa, pci, soc2.", error.Message);
    }

    [Fact]
    public void An_eu_ai_act_period_below_six_months_is_refused()
    {
        var error = Assert.Throws<RetentionConfigurationException>(() =>
            RetentionPolicySet.Create(new RetentionOptions { EuAiActRetention = new RetentionPeriod(0, 5, 27) }));

        Assert.Contains("below the EU AI Act's minimum of 6 months", error.Message);
        Assert.Equal("P1Y", RetentionPolicySet.Create(new RetentionOptions { EuAiActRetention = RetentionPeriod.FromYears(1) }).PolicyOf(ComplianceDomain.EuAiAct).Retention.ToString());
    }

    [Fact]
    public void The_gdpr_period_is_configurable()
    {
        var set = RetentionPolicySet.Create(new RetentionOptions { GdprRetention = RetentionPeriod.FromMonths(18) });

        Assert.Equal(March14.AddMonths(18), set.Decide(ComplianceDomain.Gdpr, March14).ExpiresAt);
    }

    [Fact]
    public void A_domain_cannot_be_mapped_to_a_policy_shorter_than_its_regime_requires()
    {
        var options = new RetentionOptions();
        options.Domains[ComplianceDomain.Hipaa] = "soc2";

        var error = Assert.Throws<RetentionConfigurationException>(() => RetentionPolicySet.Create(options));

        Assert.Contains("'hipaa' is mapped to the retention policy 'soc2' (P1Y), which keeps records shorter than 'hipaa' (P6Y) requires", error.Message);
    }

    [Fact]
    public void Built_in_names_cannot_be_redefined_and_custom_names_must_be_lower_case()
    {
        var options = new RetentionOptions
        {
            Policies = { new RetentionPolicy("hipaa", RetentionPeriod.FromYears(10)), new RetentionPolicy("Legal", RetentionPeriod.FromYears(10)) },
        };

        var error = Assert.Throws<RetentionConfigurationException>(() => RetentionPolicySet.Create(options));

        Assert.Equal(2, error.Problems.Count);
        Assert.Contains("'hipaa' is a built-in retention policy", error.Problems[0]);
        Assert.Contains("'Legal' is invalid", error.Problems[1]);
    }

    [Fact]
    public void The_canonical_policy_set_changes_exactly_when_retention_changes()
    {
        var same = RetentionPolicySet.Create(new RetentionOptions { GdprRetention = RetentionPeriod.FromYears(1) });
        var longer = RetentionPolicySet.Create(new RetentionOptions { GdprRetention = RetentionPeriod.FromYears(2) });

        Assert.Equal(RetentionPolicySet.Defaults.ToCanonicalJson(), same.ToCanonicalJson());
        Assert.NotEqual(RetentionPolicySet.Defaults.Fingerprint, longer.Fingerprint);
        Assert.StartsWith("{\"defaultPolicy\":\"default\",\"domains\":{\"eu_ai_act\":\"eu-ai-act\",\"financial\":\"financial\"", RetentionPolicySet.Defaults.ToCanonicalJson());
    }

    [Fact]
    public void The_pci_hot_window_is_the_last_three_months()
    {
        var pci = RetentionPolicySet.Defaults.Policies["pci"];

        Assert.True(pci.IsHot(March14, March14.AddMonths(3).AddTicks(-10)));
        Assert.False(pci.IsHot(March14, March14.AddMonths(3)));
    }
}
