using System;
using System.Collections.Generic;
using System.Text;

namespace AuditGen.Generators.Analyzers;

/// <summary>
/// Whether an identifier names PHI/PII. Word-aware: the identifier is split into words (camelCase, PascalCase,
/// snake_case, kebab-case, digits) and a term matches only as the identifier's <em>last</em> words, its head noun:
/// <c>email</c>, <c>patientEmail</c> and <c>homeAddress</c> match, <c>emailTemplateId</c> and <c>addressBookId</c>
/// (an id of a template or a book) do not.
/// </summary>
internal static class PersonalDataNames
{
    private static readonly string[] s_terms =
    {
        "ssn", "social security number", "social security", "socialsecuritynumber",
        "dob", "date of birth", "dateofbirth", "birth date", "birthdate", "birthday",
        "mrn", "medical record number", "medical record", "medicalrecordnumber",
        "diagnosis", "diagnoses",
        "patient name", "full name", "fullname", "first name", "firstname", "last name", "lastname", "given name",
        "family name", "middle name", "maiden name", "legal name", "surname",
        "email", "e mail", "emailaddress",
        "phone", "phone number", "phonenumber", "telephone", "mobile number", "mobile phone", "cell phone", "fax number",
        "address", "zip code", "zipcode", "postal code", "postcode",
        "card number", "cardnumber", "credit card", "creditcard", "debit card", "cvv", "cvc",
        "iban", "account number", "accountnumber", "bank account", "routing number",
        "passport", "passport number",
        "drivers license", "driver license", "driving license", "drivers licence", "driver licence", "driving licence",
        "driverslicense", "national id", "tax id", "taxpayer id",
    };

    // A qualifier after the head noun that does not change what the value is (phoneNo, ssnValue).
    private static readonly HashSet<string> s_qualifiers = new(StringComparer.Ordinal) { "number", "no", "num", "value", "text", "str" };

    // Terms by their last word, so a lookup costs one dictionary probe per candidate last word.
    private static readonly Dictionary<string, string[][]> s_byLastWord = Index();

    /// <summary>The matched term (e.g. <c>email</c>), or null when <paramref name="identifier"/> does not name PHI/PII.</summary>
    public static string? Match(string identifier)
    {
        if (string.IsNullOrEmpty(identifier))
        {
            return null;
        }

        List<string> words = Words(identifier);
        while (words.Count > 0 && char.IsDigit(words[words.Count - 1][0]))
        {
            words.RemoveAt(words.Count - 1);
        }

        if (words.Count == 0)
        {
            return null;
        }

        string? term = MatchEnd(words, words.Count);
        if (term is null && words.Count > 1 && s_qualifiers.Contains(words[words.Count - 1]))
        {
            term = MatchEnd(words, words.Count - 1);
        }

        return term;
    }

    /// <summary>The lower-case words of <paramref name="identifier"/>.</summary>
    public static List<string> Words(string identifier)
    {
        var words = new List<string>(4);
        var current = new StringBuilder(identifier.Length);
        for (int i = 0; i < identifier.Length; i++)
        {
            char c = identifier[i];
            if (!char.IsLetterOrDigit(c))
            {
                Flush(words, current);
                continue;
            }

            if (current.Length > 0)
            {
                char previous = identifier[i - 1];
                bool boundary = (char.IsUpper(c) && (char.IsLower(previous) || char.IsDigit(previous)))
                    || (char.IsUpper(c) && char.IsUpper(previous) && i + 1 < identifier.Length && char.IsLower(identifier[i + 1]))
                    || (char.IsDigit(c) != char.IsDigit(previous));
                if (boundary)
                {
                    Flush(words, current);
                }
            }

            current.Append(char.ToLowerInvariant(c));
        }

        Flush(words, current);
        return words;
    }

    private static string? MatchEnd(List<string> words, int count)
    {
        string last = words[count - 1];
        return MatchEndWith(words, count, last)
            ?? (last.Length > 3 && last.EndsWith("es", StringComparison.Ordinal) ? MatchEndWith(words, count, last.Substring(0, last.Length - 2)) : null)
            ?? (last.Length > 3 && last.EndsWith("s", StringComparison.Ordinal) ? MatchEndWith(words, count, last.Substring(0, last.Length - 1)) : null);
    }

    private static string? MatchEndWith(List<string> words, int count, string last)
    {
        if (!s_byLastWord.TryGetValue(last, out string[][]? candidates))
        {
            return null;
        }

        foreach (string[] term in candidates)
        {
            if (term.Length > count)
            {
                continue;
            }

            bool matches = true;
            for (int i = 0; i < term.Length - 1 && matches; i++)
            {
                matches = string.Equals(term[i], words[count - term.Length + i], StringComparison.Ordinal);
            }

            if (matches)
            {
                return string.Join(" ", term);
            }
        }

        return null;
    }

    private static void Flush(List<string> words, StringBuilder current)
    {
        if (current.Length > 0)
        {
            words.Add(current.ToString());
            current.Clear();
        }
    }

    private static Dictionary<string, string[][]> Index()
    {
        var lists = new Dictionary<string, List<string[]>>(StringComparer.Ordinal);
        foreach (string term in s_terms)
        {
            string[] words = term.Split(' ');
            string last = words[words.Length - 1];
            if (!lists.TryGetValue(last, out List<string[]>? list))
            {
                lists[last] = list = new List<string[]>();
            }

            list.Add(words);
        }

        var index = new Dictionary<string, string[][]>(StringComparer.Ordinal);
        foreach (KeyValuePair<string, List<string[]>> pair in lists)
        {
            // Longest terms first, so "social security number" is named rather than a shorter overlap.
            pair.Value.Sort((a, b) => b.Length.CompareTo(a.Length));
            index[pair.Key] = pair.Value.ToArray();
        }

        return index;
    }
}
