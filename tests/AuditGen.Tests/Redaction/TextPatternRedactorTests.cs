using AuditGen.Redaction;
using CsCheck;

namespace AuditGen.Tests.Redaction;

public sealed class TextPatternRedactorTests
{
    [Theory]
    [InlineData("mail jane.doe+x@mail.example.org now", "mail [email] now")]
    [InlineData("call 555-123-4567 today", "call [phone] today")]
    [InlineData("call +1 (555) 123-4567", "call [phone]")]
    [InlineData("ring +44 20 7946 0958.", "ring [phone].")]
    [InlineData("ring +15551234567", "ring [phone]")]
    [InlineData("ssn 123-45-6789 on file", "ssn [ssn] on file")]
    [InlineData("card 4111 1111 1111 1111 declined", "card [card] declined")]
    [InlineData("card 4111-1111-1111-1111", "card [card]")]
    [InlineData("card 378282246310005", "card [card]")]
    [InlineData("iban DE89 3704 0044 0532 0130 00 rejected", "iban [iban] rejected")]
    [InlineData("iban GB82WEST12345698765432", "iban [iban]")]
    [InlineData("from 192.168.10.254.", "from [ip].")]
    [InlineData("Patient MRN-0042 not found", "Patient [mrn] not found")]
    [InlineData("patient mrn: 77812", "patient [mrn]")]
    public void Personal_data_patterns_become_markers(string text, string expected) =>
        Assert.Equal(expected, TextPatternRedactor.Redact(text));

    [Fact]
    public void A_card_number_that_fails_the_luhn_check_is_left_alone()
    {
        Assert.Equal("[card]", TextPatternRedactor.Redact("4111111111111111"));
        Assert.Equal("4111111111111112", TextPatternRedactor.Redact("4111111111111112"));
    }

    [Theory]
    [InlineData("Order 12345 shipped on 2024-01-15 at 10:30:00")]
    [InlineData("id 550e8400-e29b-41d4-a716-446655440000")]
    [InlineData("total 1,234.56 EUR, version 1.2.3")]
    [InlineData("timeout after 30000 ms")]
    [InlineData("")]
    public void Ordinary_text_is_left_alone(string text) => Assert.Equal(text, TextPatternRedactor.Redact(text));

    [Fact]
    public void Every_luhn_valid_card_number_is_redacted() =>
        Gen.Int[13, 19].SelectMany(n => Gen.Char['0', '9'].Array[n - 1]).Sample(digits =>
        {
            var body = new string(digits);
            var withCheck = Enumerable.Range(0, 10).Select(d => body + d).Single(c => TextPatternRedactor.PassesLuhn(c));
            Assert.Equal("paid with [card].", TextPatternRedactor.Redact($"paid with {withCheck}."));
        });

    [Fact]
    public void The_luhn_check_matches_known_numbers()
    {
        Assert.True(TextPatternRedactor.PassesLuhn("79927398713"));
        Assert.False(TextPatternRedactor.PassesLuhn("79927398710"));
        Assert.True(TextPatternRedactor.PassesLuhn("4111 1111 1111 1111"));
    }
}
