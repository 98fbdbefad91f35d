using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using NNLinearity.Formulas;
using NNLinearity.Glm;
using NNLinearity.Tests.Fixtures;
using NNLinearity.Tests.Formulas;
using NNLinearity.Tests.Reference;
using Xunit;

namespace NNLinearity.Tests.Glm;

/// <summary>
/// Wald and likelihood-ratio tests of L b = c against R (car 3.1.1's linearHypothesis and anova of the model refitted
/// under the hypothesis, written as its own formula with offsets; Fixtures/make_hypotheses.R) on four fits.
/// </summary>
public class LinearHypothesisTests
{
    private static readonly Lazy<Dictionary<string, JsonElement>> Cases = new(() => RFixtures.NamedCases("hypothesis_cases.json"));

    public static TheoryData<string> Names() => RFixtures.TheoryNames("hypothesis_cases.json");

    private static (GlmFit Fit, double[,] L, double[] C) Setup(JsonElement c)
    {
        GlmFit fit = RFixtures.FitFormulaCase(c);
        int q = c.GetProperty("q").GetInt32(), p = fit.CoefficientCount;
        double[] flat = c.Doubles("L");
        var l = new double[q, p];
        for (int r = 0; r < q; r++) for (int j = 0; j < p; j++) l[r, j] = flat[r * p + j];
        return (fit, l, c.Doubles("rhs"));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void WaldAndLikelihoodRatioTestsMatchR(string name)
    {
        JsonElement c = Cases.Value[name];
        (GlmFit fit, double[,] l, double[] rhs) = Setup(c);
        LinearHypothesisResult wald = fit.TestLinearHypothesis(l, rhs);
        Tolerance.Equal(c.GetProperty("wald").GetDouble(), wald.Statistic, 1e-7, 1e-12, "Wald");
        Tolerance.Equal(c.GetProperty("wald_p").GetDouble(), wald.PValue, 1e-7, 1e-300, "Wald p");
        LinearHypothesisResult f = fit.TestLinearHypothesis(l, rhs, HypothesisTest.WaldF);
        Tolerance.Equal(c.GetProperty("wald_f").GetDouble(), f.Statistic, 1e-7, 1e-12, "F");
        Tolerance.Equal(c.GetProperty("wald_f_p").GetDouble(), f.PValue, 1e-7, 1e-300, "F p");
        LinearHypothesisResult robust = fit.TestLinearHypothesis(l, rhs, covariance: fit.RobustCovariance(RobustCovarianceType.HC0));
        Tolerance.Equal(c.GetProperty("wald_hc0").GetDouble(), robust.Statistic, 1e-7, 1e-12, "Wald with HC0");
        Tolerance.Equal(c.GetProperty("wald_hc0_p").GetDouble(), robust.PValue, 1e-7, 1e-300, "Wald with HC0 p");
        LinearHypothesisResult lr = fit.TestLinearHypothesis(l, rhs, HypothesisTest.LikelihoodRatio);
        Tolerance.Equal(c.GetProperty("restricted_deviance").GetDouble(), lr.RestrictedDeviance!.Value, 1e-8, 1e-10, "restricted deviance");
        Tolerance.Equal(c.GetProperty("lr").GetDouble(), lr.Statistic, 1e-6, 1e-9, "LR");
        Tolerance.Equal(c.GetProperty("lr_p").GetDouble(), lr.PValue, 1e-6, 1e-300, "LR p");
    }

    [Fact]
    public void BadHypothesesAreRefused()
    {
        (GlmFit fit, double[,] l, double[] rhs) = Setup(Cases.Value["gaussian_wt_is_minus_4"]);
        Assert.Equal("contrasts", Assert.Throws<ArgumentException>(() => fit.TestLinearHypothesis(new double[1, 2])).ParamName);
        Assert.Equal("contrasts", Assert.Throws<ArgumentException>(() => fit.TestLinearHypothesis(new double[,] { { 0, 1, 0 }, { 0, 2, 0 } })).ParamName);
        Assert.Equal("contrasts", Assert.Throws<ArgumentException>(() => fit.TestLinearHypothesis(new double[,] { { 0, double.NaN, 0 } })).ParamName);
        Assert.Equal("rightHandSide", Assert.Throws<ArgumentException>(() => fit.TestLinearHypothesis(l, [1.0, 2.0])).ParamName);
        Assert.Equal("covariance", Assert.Throws<ArgumentException>(() => fit.TestLinearHypothesis(l, rhs, HypothesisTest.LikelihoodRatio, fit.Covariance)).ParamName);
        Assert.Equal("test", Assert.Throws<ArgumentOutOfRangeException>(() => fit.TestLinearHypothesis(l, rhs, (HypothesisTest)7)).ParamName);
    }

    /// <summary>The Wald test of one coefficient equal to 0 is the square of its z (or t) statistic.</summary>
    [Theory]
    [MemberData(nameof(Names))]
    public void OneCoefficientWaldIsTheSquaredZ(string name)
    {
        (GlmFit fit, _, _) = Setup(Cases.Value[name]);
        for (int j = 0; j < fit.CoefficientCount; j++)
        {
            var l = new double[1, fit.CoefficientCount];
            l[0, j] = 1;
            Tolerance.Equal(fit.Statistics[j] * fit.Statistics[j], fit.TestLinearHypothesis(l).Statistic, 1e-10, 0, $"coefficient {j}");
        }
    }
}
