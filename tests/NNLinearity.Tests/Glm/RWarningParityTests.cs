using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using NNLinearity.Families;
using NNLinearity.Glm;
using NNLinearity.Links;
using NNLinearity.Tests.Fixtures;
using Xunit;

namespace NNLinearity.Tests.Glm;

/// <summary>Where R warns, the fit carries a diagnostic, with R's numbers (make_diagnostics.R).</summary>
public sealed class RWarningParityTests
{
    private static readonly Lazy<JsonElement> Doc = new(() =>
    {
        using var d = JsonDocument.Parse(File.ReadAllText(RFixtures.PathOf("diagnostics.json")));
        return d.RootElement.Clone();
    });

    private static JsonElement Case(string name) => Doc.Value.GetProperty("cases").EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);

    private static GlmFit Fit(JsonElement c, GlmFamily family, ILinkFunction? link = null)
    {
        double[] x = c.Doubles("x");
        var design = new double[x.Length, 1];
        for (int i = 0; i < x.Length; i++) design[i, 0] = x[i];
        return NNLinearity.Glm.Glm.Fit(design, c.Doubles("y"), family, link);
    }

    // 1e-8 relative: R's fixture values are its own converged IRLS iterates; both stop by the same rule at the same iteration.
    private static void Close(double expected, double actual) => Assert.True(Math.Abs(expected - actual) <= 1e-8 * Math.Max(1, Math.Abs(expected)), $"expected {expected:R}, got {actual:R}");

    [Theory]
    [InlineData("halving_out_of_bounds", "out of bounds")]
    [InlineData("halving_divergence", "due to divergence")]
    public void StepHalvingAtAnInnerIteration_IsReported_AsRWarns(string name, string what)
    {
        JsonElement c = Case(name);
        GlmFit fit = Fit(c, GlmFamily.Poisson, new IdentityLink());
        Assert.Contains(c.Strings("warnings"), w => w.Contains(what, StringComparison.Ordinal));
        GlmDiagnostic d = Assert.Single(fit.Diagnostics, d => d.Kind == GlmDiagnosticKind.StepHalving);
        Assert.Contains(what, d.Message, StringComparison.Ordinal);
        Assert.Equal(c.GetProperty("iter").GetInt32(), fit.Iterations);
        Assert.True(fit.Converged);
        Assert.False(fit.Boundary); // the last step needed no halving: R's boundary is FALSE too
        Close(c.GetProperty("deviance").GetDouble(), fit.Deviance);
        double[] coef = c.Doubles("coefficients");
        for (int j = 0; j < coef.Length; j++) Close(coef[j], fit.Coefficients[j]);
    }

    [Fact]
    public void PoissonWithNonIntegerCounts_HasInfiniteAic_AndSaysWhy()
    {
        JsonElement c = Case("poisson_non_integer");
        Assert.True(c.GetProperty("aic_infinite").GetBoolean());
        GlmFit fit = Fit(c, GlmFamily.Poisson);
        Assert.Equal(double.PositiveInfinity, fit.Aic);
        Assert.Equal(double.PositiveInfinity, fit.Bic);
        Assert.Equal(double.NegativeInfinity, fit.LogLikelihood);
        GlmDiagnostic d = Assert.Single(fit.Diagnostics, d => d.Kind == GlmDiagnosticKind.NonIntegerCounts);
        Assert.Contains("y[0] = 2.5", d.Message, StringComparison.Ordinal);
        Close(c.GetProperty("deviance").GetDouble(), fit.Deviance);
        Assert.Contains("Note: Non-integer counts", fit.Summary(), StringComparison.Ordinal);
    }

    [Fact]
    public void QuasiPoissonWithNonIntegerCounts_IsNotFlagged()
    {
        GlmFit fit = Fit(Case("poisson_non_integer"), GlmFamily.QuasiPoisson);
        Assert.DoesNotContain(fit.Diagnostics, d => d.Kind == GlmDiagnosticKind.NonIntegerCounts);
    }

    [Fact]
    public void NegativeBinomialWithNonIntegerCounts_KeepsMassAic_AndSaysWhy()
    {
        JsonElement c = Case("negbin_non_integer");
        GlmFit fit = Fit(c, GlmFamily.NegativeBinomial(2));
        Close(c.GetProperty("aic").GetDouble(), fit.Aic!.Value);
        Assert.Single(fit.Diagnostics, d => d.Kind == GlmDiagnosticKind.NonIntegerCounts);
    }

    [Fact]
    public void FTest_OnAPoissonFamily_UsesInfiniteDenominatorDf_AsR()
    {
        JsonElement c = Doc.Value.GetProperty("anova_f");
        double[] x = c.Doubles("x"), y = c.Doubles("y");
        var design = new double[x.Length, 1];
        for (int i = 0; i < x.Length; i++) design[i, 0] = x[i];
        GlmFit small = NNLinearity.Glm.Glm.Fit(new double[x.Length, 0], y, GlmFamily.Poisson);
        GlmFit large = NNLinearity.Glm.Glm.Fit(design, y, GlmFamily.Poisson);
        GlmAnova a = GlmAnova.Compare([small, large], AnovaTest.F);
        Assert.Equal(double.PositiveInfinity, a.DispersionDegreesOfFreedom);
        Close(c.GetProperty("f").GetDouble(), a.Rows[1].F);
        Close(c.GetProperty("p").GetDouble(), a.Rows[1].PValue);
        Close(c.GetProperty("p_chisq").GetDouble(), a.Rows[1].PValue);
        Assert.Contains(c.Strings("warnings"), w => w.Contains("inappropriate", StringComparison.Ordinal));
        Assert.Contains("inappropriate", Assert.Single(a.Diagnostics).Message, StringComparison.Ordinal);
        Assert.Contains("Note: Using an F test", a.ToString(), StringComparison.Ordinal);
        Assert.Empty(GlmAnova.Compare([small, large]).Diagnostics);
    }

    [Fact]
    public void Anova_OfFitsOnDifferentResponsesOrWeights_IsRefused()
    {
        var rng = new Random(1);
        var x = new double[30, 1];
        double[] y1 = new double[30], y2 = new double[30];
        for (int i = 0; i < 30; i++)
        {
            x[i, 0] = rng.NextDouble();
            y1[i] = rng.Next(5);
            y2[i] = y1[i] + (i == 7 ? 1 : 0);
        }

        GlmFit a = NNLinearity.Glm.Glm.Fit(new double[30, 0], y1, GlmFamily.Poisson);
        GlmFit b = NNLinearity.Glm.Glm.Fit(x, y2, GlmFamily.Poisson);
        var e = Assert.Throws<ArgumentException>(() => GlmAnova.Compare([a, b]));
        Assert.Equal("fits", e.ParamName);
        Assert.Contains("other responses or prior weights", e.Message, StringComparison.Ordinal);
        GlmFit weighted = NNLinearity.Glm.Glm.Fit(x, y1, GlmFamily.Poisson, options: new GlmOptions { Weights = Enumerable.Repeat(2.0, 30).ToArray() });
        Assert.Throws<ArgumentException>(() => GlmAnova.Compare([a, weighted]));
        GlmFit same = NNLinearity.Glm.Glm.Fit(x, y1, GlmFamily.Poisson, options: new GlmOptions { KeepRowResults = false });
        Assert.Equal(2, GlmAnova.Compare([a, same]).Rows.Count);
    }

    [Fact]
    public void PerfectAndConstantGaussianFits_SaySo_WhereSummaryLmWarns()
    {
        JsonElement c = Doc.Value.GetProperty("perfect_fit");
        Assert.Contains(c.Strings("lm_warnings"), w => w.Contains("essentially perfect fit", StringComparison.Ordinal));
        Assert.Contains(c.Strings("constant_lm_warnings"), w => w.Contains("essentially perfect fit", StringComparison.Ordinal));
        GlmFit perfect = Fit(c, GlmFamily.Gaussian);
        Assert.Contains("reproduce the response exactly", Assert.Single(perfect.Diagnostics, d => d.Kind == GlmDiagnosticKind.PerfectFit).Message, StringComparison.Ordinal);
        double[] x = c.Doubles("x");
        var design = new double[x.Length, 1];
        for (int i = 0; i < x.Length; i++) design[i, 0] = x[i];
        GlmFit constant = NNLinearity.Glm.Glm.Fit(design, Enumerable.Repeat(3.0, x.Length).ToArray(), GlmFamily.Gaussian);
        Assert.Contains("the response is constant (3)", Assert.Single(constant.Diagnostics, d => d.Kind == GlmDiagnosticKind.PerfectFit).Message, StringComparison.Ordinal);
        GlmFit gamma = NNLinearity.Glm.Glm.Fit(design, Enumerable.Repeat(3.0, x.Length).ToArray(), GlmFamily.Gamma);
        Assert.Single(gamma.Diagnostics, d => d.Kind == GlmDiagnosticKind.PerfectFit);

        // A noisy fit is not flagged.
        var rng = new Random(2);
        GlmFit noisy = NNLinearity.Glm.Glm.Fit(design, x.Select(v => 1 + 2 * v + rng.NextDouble()).ToArray(), GlmFamily.Gaussian);
        Assert.DoesNotContain(noisy.Diagnostics, d => d.Kind == GlmDiagnosticKind.PerfectFit);
    }
}
