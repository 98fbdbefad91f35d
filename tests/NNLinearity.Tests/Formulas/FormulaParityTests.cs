using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using NNLinearity.Data;
using NNLinearity.Formulas;
using NNLinearity.Glm;
using NNLinearity.Layers;
using NNLinearity.Tests.Fixtures;
using Xunit;
using Xunit.Sdk;

namespace NNLinearity.Tests.Formulas;

/// <summary>Formulas on tables against R (make_formulas.R): model matrices, fits, analyses of deviance by term, predictions on new tables.</summary>
public sealed class FormulaParityTests
{
    private static readonly Lazy<Dictionary<string, JsonElement>> Cases = new(() => RFixtures.NamedCases("formula_cases.json"));

    public static TheoryData<string> Names() => new(Cases.Value.Keys);

    /// <summary>A fixture's table: numeric (null is missing), factor and ordered factor with R's levels, character, logical.</summary>
    public static DataTable Table(JsonElement columns) => new(columns.EnumerateArray().Select(c =>
    {
        string name = c.GetProperty("name").GetString()!;
        JsonElement values = c.GetProperty("values");
        return c.GetProperty("kind").GetString() switch
        {
            "numeric" => DataColumn.Numeric(name, values.EnumerateArray().Select(v => v.ValueKind == JsonValueKind.Null ? double.NaN : v.GetDouble()).ToArray()),
            "logical" => DataColumn.Logical(name, values.EnumerateArray().Select(v => v.ValueKind == JsonValueKind.Null ? (bool?)null : v.GetBoolean()).ToArray()),
            "character" => DataColumn.Text(name, values.EnumerateArray().Select(v => v.GetString()).ToArray()),
            var kind => DataColumn.Factor(name, values.EnumerateArray().Select(v => v.GetString()).ToArray(), c.Strings("levels"), ordered: kind == "ordered"),
        };
    }));

    private static ModelFrameOptions Frame(JsonElement c) => new()
    {
        Weights = c.GetProperty("weights").GetString(),
        Offset = c.GetProperty("offset").GetString(),
        Contrasts = c.GetProperty("contrasts").ValueKind == JsonValueKind.Null ? null
            : c.GetProperty("contrasts").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() switch
            {
                "contr.sum" => ContrastKind.Sum,
                "contr.helmert" => ContrastKind.Helmert,
                "contr.poly" => ContrastKind.Polynomial,
                _ => ContrastKind.Treatment,
            }),
    };

    private static GlmFit Fit(JsonElement c)
    {
        var spec = JsonDocument.Parse($"{{\"name\":\"{c.GetProperty("family").GetString()}\"}}").RootElement;
        var link = JsonDocument.Parse($"{{\"name\":\"{c.GetProperty("link").GetString()}\"}}").RootElement;
        return NNLinearity.Glm.Glm.Fit(c.GetProperty("formula").GetString()!, Table(c.GetProperty("data")), RFixtures.Family(spec), RFixtures.Link(link), frame: Frame(c));
    }

    // 1e-6 relative, as the R parity of matrix fits: both runs stop IRLS by the same rule at the same iteration.
    private static void Close(string what, double expected, double actual, double rel = 1e-6)
    {
        if (double.IsNaN(expected) && double.IsNaN(actual)) return;
        if (!(Math.Abs(expected - actual) <= rel * Math.Max(1, Math.Abs(expected)))) throw new XunitException($"{what}: R {expected:R}, here {actual:R}");
    }

    private static void CloseAll(string what, double[] expected, IReadOnlyList<double> actual, double rel = 1e-6)
    {
        Assert.True(expected.Length == actual.Count, $"{what}: R has {expected.Length} values, here {actual.Count}");
        for (int i = 0; i < expected.Length; i++) Close($"{what}[{i}]", expected[i], actual[i], rel);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void ModelMatrix_IsRs(string name)
    {
        JsonElement c = Cases.Value[name];
        ModelDesign d = ModelDesign.Build(Formula.Parse(c.GetProperty("formula").GetString()!), Table(c.GetProperty("data")), Frame(c));
        Assert.Equal(c.Strings("term_labels"), d.Terms.TermLabels);
        Assert.Equal(c.Strings("columns"), d.ColumnNames);
        Assert.Equal(c.Doubles("assign").Select(v => (int)v), d.Assign);
        Assert.Equal(c.GetProperty("rows").GetInt32(), d.RowCount);
        Assert.Equal(c.GetProperty("omitted").GetInt32(), d.OmittedRows);
        double[] x = c.Doubles("matrix");
        Assert.Equal(x.Length, d.Matrix.Count);
        for (int i = 0; i < x.Length; i++)
        {
            // 1e-12 absolute: the entries are 0/1 codes, data values, and orthogonal polynomials computed by a recurrence here and a QR in R.
            if (!(Math.Abs(x[i] - d.Matrix[i]) <= 1e-12)) throw new XunitException($"{d.ColumnNames[i % d.ColumnNames.Count]} row {i / d.ColumnNames.Count}: R {x[i]:R}, here {d.Matrix[i]:R}");
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Fit_AnovaAndPredict_AreRs(string name)
    {
        JsonElement c = Cases.Value[name];
        GlmFit fit = Fit(c);
        Assert.Equal(c.Strings("columns"), fit.CoefficientNames);
        CloseAll("coefficients", c.Doubles("coefficients"), fit.Coefficients);
        CloseAll("standard errors", c.Doubles("se"), fit.StandardErrors);
        Close("deviance", c.GetProperty("deviance").GetDouble(), fit.Deviance);
        Close("null deviance", c.GetProperty("null_deviance").GetDouble(), fit.NullDeviance);
        Assert.Equal(c.GetProperty("df_residual").GetInt32(), fit.ResidualDegreesOfFreedom);
        Close("dispersion", c.GetProperty("dispersion").GetDouble(), fit.Dispersion);
        if (c.NumberOrNull("aic") is double aic) Close("AIC", aic, fit.Aic!.Value);
        Assert.Equal(c.GetProperty("omitted").GetInt32(), fit.Design!.OmittedRows);

        GlmAnova a = GlmAnova.Sequential(fit, c.GetProperty("anova_test").GetString() == "F" ? AnovaTest.F : AnovaTest.ChiSquare);
        Assert.Equal(c.Strings("term_labels").Prepend("NULL"), a.RowLabels!);
        CloseAll("anova deviance", c.Doubles("anova_deviance"), a.Rows.Select(r => r.Deviance).ToArray());
        CloseAll("anova residual df", c.Doubles("anova_resid_df"), a.Rows.Select(r => (double)r.ResidualDegreesOfFreedom).ToArray());
        CloseAll("anova residual deviance", c.Doubles("anova_resid_dev"), a.Rows.Select(r => r.ResidualDeviance).ToArray());
        // p-values to 1e-6 relative or 1e-12 absolute (a p-value of 1e-300 has no meaningful relative digits).
        double[] p = c.Doubles("anova_p");
        for (int i = 0; i < p.Length; i++)
        {
            if (!(double.IsNaN(p[i]) && double.IsNaN(a.Rows[i].PValue)) && !(Math.Abs(p[i] - a.Rows[i].PValue) <= Math.Max(1e-12, 1e-6 * p[i]))) throw new XunitException($"anova p[{i}]: R {p[i]:R}, here {a.Rows[i].PValue:R}");
        }

        TermDeletions drop = TermDeletions.Compute(fit, c.GetProperty("anova_test").GetString() == "F" ? AnovaTest.F : AnovaTest.ChiSquare);
        Assert.Equal(c.Strings("drop_terms"), drop.Rows.Select(r => r.Term));
        CloseAll("drop1 df", c.Doubles("drop_df"), drop.Rows.Select(r => r.DegreesOfFreedom).ToArray());
        CloseAll("drop1 deviance", c.Doubles("drop_deviance"), drop.Rows.Select(r => r.Deviance).ToArray());
        CloseAll("drop1 AIC", c.Doubles("drop_aic"), drop.Rows.Select(r => r.Aic).ToArray());
        CloseAll("drop1 statistic", c.Doubles("drop_stat"), drop.Rows.Select(r => r.Statistic).ToArray());
        double[] dp = c.Doubles("drop_p");
        for (int i = 0; i < dp.Length; i++)
        {
            if (!(double.IsNaN(dp[i]) && double.IsNaN(drop.Rows[i].PValue)) && !(Math.Abs(dp[i] - drop.Rows[i].PValue) <= Math.Max(1e-12, 1e-6 * dp[i]))) throw new XunitException($"drop1 p[{i}]: R {dp[i]:R}, here {drop.Rows[i].PValue:R}");
        }

        DataTable newdata = Table(c.GetProperty("newdata"));
        GlmPrediction link = fit.Predict(newdata, GlmPredictionScale.Link), response = fit.Predict(newdata);
        CloseAll("predict link", c.Doubles("predict_link"), link.Fit);
        CloseAll("predict link se", c.Doubles("predict_link_se"), link.StandardErrors);
        CloseAll("predict response", c.Doubles("predict_response"), response.Fit);
        CloseAll("predict response se", c.Doubles("predict_response_se"), response.StandardErrors);
    }
}

/// <summary>The shipped data set is R's MASS::Insurance, cell for cell.</summary>
public sealed class DatasetTests
{
    [Fact]
    public void Insurance_IsMassInsurance()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(RFixtures.PathOf("formula_cases.json")));
        JsonElement c = doc.RootElement.EnumerateArray().Single(e => e.GetProperty("name").GetString() == "insurance_exposure");
        DataTable r = FormulaParityTests.Table(c.GetProperty("data")), shipped = Datasets.Insurance();
        Assert.Equal(r.ColumnNames, shipped.ColumnNames);
        foreach (string name in r.ColumnNames)
        {
            Assert.Equal(r[name].Kind, shipped[name].Kind);
            Assert.Equal(r[name].IsOrdered, shipped[name].IsOrdered);
            Assert.Equal(r[name].Levels, shipped[name].Levels);
            for (int i = 0; i < r.RowCount; i++)
            {
                if (r[name].Kind == ColumnKind.Numeric) Assert.Equal(r[name].GetNumber(i), shipped[name].GetNumber(i));
                else Assert.Equal(r[name].GetLevel(i), shipped[name].GetLevel(i));
            }
        }
    }
}
