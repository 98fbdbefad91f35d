using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using NNLinearity.Glm;
using NNLinearity.Tests.Fixtures;
using NNLinearity.Tests.Formulas;
using NNLinearity.Tests.Reference;
using Xunit;

namespace NNLinearity.Tests.Glm;

/// <summary>Negative binomial fits with theta by maximum likelihood against MASS's glm.nb (Fixtures/make_negbin.R) on four data sets.</summary>
public class NegativeBinomialTests
{
    private static readonly Lazy<Dictionary<string, JsonElement>> Cases = new(() => RFixtures.NamedCases("negbin_cases.json"));

    public static TheoryData<string> Names() => RFixtures.TheoryNames("negbin_cases.json");

    [Theory]
    [MemberData(nameof(Names))]
    public void GlmNbMatchesMass(string name)
    {
        JsonElement c = Cases.Value[name];
        NegativeBinomialFit nb = NNLinearity.Glm.Glm.FitNegativeBinomial(c.GetProperty("formula").GetString()!, FormulaParityTests.Table(c.GetProperty("data")),
            options: new GlmOptions { Epsilon = 1e-12, MaxIterations = 100 });
        Tolerance.Equal(c.GetProperty("theta").GetDouble(), nb.Theta, 1e-6, 0, "theta");
        Tolerance.Equal(c.GetProperty("theta_se").GetDouble(), nb.ThetaStandardError, 1e-6, 0, "SE(theta)");
        Tolerance.Equal(c.GetProperty("twologlik").GetDouble(), nb.TwoLogLikelihood, 1e-9, 0, "2 log-likelihood");
        Tolerance.Equal(c.GetProperty("aic").GetDouble(), nb.Aic, 1e-9, 0, "AIC");
        Tolerance.Equal(c.GetProperty("deviance").GetDouble(), nb.Fit.Deviance, 1e-6, 0, "deviance");
        Tolerance.Equal(c.GetProperty("lr_poisson").GetDouble(), nb.PoissonLikelihoodRatio, 1e-7, 1e-9, "LR against Poisson");
        Tolerance.Equal(c.GetProperty("lr_poisson_p").GetDouble(), nb.PoissonPValue, 1e-5, 1e-300, "its p-value");
        double[] b = c.Doubles("coefficients"), se = c.Doubles("se");
        for (int j = 0; j < b.Length; j++)
        {
            Tolerance.Equal(b[j], nb.Fit.Coefficients[j], 1e-6, 1e-9, $"coefficient {j}");
            Tolerance.Equal(se[j], nb.Fit.StandardErrors[j], 1e-6, 0, $"SE {j}");
        }

        Assert.True(nb.Converged);
        Assert.Contains("Theta:", nb.Summary(), StringComparison.Ordinal);
    }

    [Fact]
    public void TrigammaMatchesItsDefinition()
    {
        // psi'(1) = pi^2 / 6, psi'(1/2) = pi^2 / 2, psi'(x) = psi'(x + 1) + 1 / x^2 (closed forms).
        Tolerance.Equal(Math.PI * Math.PI / 6, NNLinearity.Glm.Glm.Trigamma(1), 1e-13, 0, "psi'(1)");
        Tolerance.Equal(Math.PI * Math.PI / 2, NNLinearity.Glm.Glm.Trigamma(0.5), 1e-13, 0, "psi'(1/2)");
        foreach (double x in new[] { 0.01, 0.7, 5.5, 6.0, 13.2, 1e3, 1e6 })
        {
            Tolerance.Equal(NNLinearity.Glm.Glm.Trigamma(x + 1) + 1 / (x * x), NNLinearity.Glm.Glm.Trigamma(x), 1e-13, 0, $"recurrence at {x}");
        }
    }

    [Fact]
    public void BadCallsAreRefused()
    {
        JsonElement c = Cases.Value["quine"];
        var table = FormulaParityTests.Table(c.GetProperty("data"));
        Assert.Equal("options", Assert.Throws<ArgumentException>(() => NNLinearity.Glm.Glm.FitNegativeBinomial("Days ~ Eth", table, options: new GlmOptions { KeepRowResults = false })).ParamName);
        Assert.Throws<ArgumentNullException>(() => NNLinearity.Glm.Glm.FitNegativeBinomial(null!, table));
        Assert.Throws<ArgumentOutOfRangeException>(() => NNLinearity.Glm.Glm.FitNegativeBinomial([0.5, 1.5], 2, 1, [1.0, -2.0]));
    }
}
