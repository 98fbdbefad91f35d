using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using NNLinearity.Families;
using NNLinearity.Links;

namespace NNLinearity.Tests.Fixtures;

/// <summary>Loads the JSON written by make_fixtures.R (R's glm outputs).</summary>
public static class RFixtures
{
    private static readonly Lazy<Dictionary<string, JsonElement>> Cases = new(() =>
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(PathOf("glm_cases.json")));
        return doc.RootElement.EnumerateArray().ToDictionary(e => e.GetProperty("name").GetString()!, e => e.Clone());
    });

    /// <summary>A fixture file's cases by their "name" (the file is an array of cases, or an object with a "cases" array and the versions that made them).</summary>
    public static Dictionary<string, JsonElement> NamedCases(string file)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(PathOf(file)));
        JsonElement cases = doc.RootElement.ValueKind == JsonValueKind.Object ? doc.RootElement.GetProperty("cases") : doc.RootElement;
        return cases.EnumerateArray().ToDictionary(e => e.GetProperty("name").GetString()!, e => e.Clone());
    }

    /// <summary>A fixture file's case names as xUnit theory data.</summary>
    public static Xunit.TheoryData<string> TheoryNames(string file)
    {
        var d = new Xunit.TheoryData<string>();
        foreach (string n in NamedCases(file).Keys) d.Add(n);
        return d;
    }

    /// <summary>
    /// Fits a formula case as R did: its "formula", "data" (a typed table), "family" and "link" (or the family given),
    /// "weights" column when present, and R's control (epsilon 1e-12, 100 iterations).
    /// </summary>
    public static NNLinearity.Glm.GlmFit FitFormulaCase(JsonElement c, GlmFamily? family = null)
    {
        family ??= Family(JsonDocument.Parse($"{{\"name\":\"{c.GetProperty("family").GetString()}\"}}").RootElement);
        ILinkFunction link = Link(JsonDocument.Parse($"{{\"name\":\"{c.GetProperty("link").GetString()}\"}}").RootElement);
        var frame = new NNLinearity.Formulas.ModelFrameOptions { Weights = c.Has("weights") ? c.GetProperty("weights").GetString() : null };
        return NNLinearity.Glm.Glm.Fit(c.GetProperty("formula").GetString()!, NNLinearity.Tests.Formulas.FormulaParityTests.Table(c.GetProperty("data")), family, link,
            new NNLinearity.Glm.GlmOptions { Epsilon = 1e-12, MaxIterations = 100 }, frame);
    }

    public static string PathOf(string file) => Path.Combine(AppContext.BaseDirectory, "Fixtures", file);

    public static IEnumerable<string> CaseNames => Cases.Value.Keys;

    public static JsonElement Case(string name) => Cases.Value[name];

    public static JsonElement LinkValues()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(PathOf("link_values.json")));
        return doc.RootElement.Clone();
    }

    /// <summary>A numeric array; JSON null (R's NA) becomes NaN.</summary>
    public static double[] Doubles(this JsonElement e, string property)
    {
        JsonElement a = e.GetProperty(property);
        if (a.ValueKind == JsonValueKind.Number) return [a.GetDouble()];
        return a.EnumerateArray().Select(v => v.ValueKind == JsonValueKind.Null ? double.NaN : v.GetDouble()).ToArray();
    }

    public static double? NumberOrNull(this JsonElement e, string property)
    {
        if (!e.TryGetProperty(property, out JsonElement v) || v.ValueKind == JsonValueKind.Null) return null;
        return v.GetDouble();
    }

    public static bool Has(this JsonElement e, string property) => e.TryGetProperty(property, out JsonElement v) && v.ValueKind != JsonValueKind.Null;

    public static string[] Strings(this JsonElement e, string property)
    {
        JsonElement a = e.GetProperty(property);
        if (a.ValueKind == JsonValueKind.String) return [a.GetString()!];
        return a.EnumerateArray().Select(v => v.GetString()!).ToArray();
    }

    /// <summary>R's family names are the model file's (the reader maps them); negbin carries theta, tweedie its power.</summary>
    public static GlmFamily Family(JsonElement spec)
    {
        string name = spec.GetProperty("name").GetString()!;
        double? parameter = spec.TryGetProperty("theta", out JsonElement t) ? t.GetDouble() : spec.TryGetProperty("power", out JsonElement p) ? p.GetDouble() : null;
        return NNLinearity.Layers.ModelFile.FamilyFromName(name == "negbin" ? "negative.binomial" : name, parameter);
    }

    /// <summary>R's link names are the library's (the model-file reader maps them); power carries its lambda.</summary>
    public static ILinkFunction Link(JsonElement spec) =>
        NNLinearity.Layers.ModelFile.LinkFromName(spec.GetProperty("name").GetString() ?? "", spec.TryGetProperty("lambda", out JsonElement l) ? l.GetDouble() : null);
}
