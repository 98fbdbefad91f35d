using System;
using System.IO;
using System.Text.Json;
using NNLinearity.Families;
using NNLinearity.Glm;
using NNLinearity.Tests.Fixtures;
using NNLinearity.Tests.Reference;
using Xunit;

namespace NNLinearity.Tests.Glm;

/// <summary>
/// The benchmark problems themselves (1,000,000 x 20 + intercept, seed 42) fitted here and by R's glm.fit on the same
/// arrays (large_glm.json, from benchmarks/NNLinearity.Benchmarks/r/large_glm_fixture.R): the fast path's answer is
/// R's answer at scale, with the same number of iterations.
/// </summary>
public class LargeGlmParityTests
{
    [Theory]
    [InlineData(LargeGlmProblem.Logistic)]
    [InlineData(LargeGlmProblem.Poisson)]
    public void BenchmarkProblem_MatchesR(LargeGlmProblem problem)
    {
        const int n = 1_000_000, k = 20;
        (double[] x, double[] y) = LargeGlmData.Generate(problem, n, k, 42);
        GlmFit fit = NNLinearity.Glm.Glm.Fit(x, n, k, y, problem == LargeGlmProblem.Logistic ? GlmFamily.Binomial : GlmFamily.Poisson);

        using var doc = JsonDocument.Parse(File.ReadAllText(RFixtures.PathOf("large_glm.json")));
        JsonElement r = doc.RootElement.GetProperty(problem == LargeGlmProblem.Logistic ? "logistic" : "poisson");
        double[] coef = r.Doubles("coefficients");
        double scale = 0;
        foreach (double c in coef) scale = Math.Max(scale, Math.Abs(c));
        // Both stop at R's rule (relative deviance change below 1e-8); the iterates then agree far below 1e-6.
        Tolerance.Equal(coef, fit.Coefficients, 1e-6, 1e-9 * scale, "coefficients");
        Tolerance.Equal(r.Doubles("se"), fit.StandardErrors, 1e-6, 0, "standard errors");
        Tolerance.Equal(r.GetProperty("deviance").GetDouble(), fit.Deviance, 1e-10, 0, "deviance");
        Tolerance.Equal(r.GetProperty("null_deviance").GetDouble(), fit.NullDeviance, 1e-10, 0, "null deviance");
        Tolerance.Equal(r.GetProperty("aic").GetDouble(), fit.Aic!.Value, 1e-10, 0, "AIC");
        Assert.Equal(r.GetProperty("iterations").GetInt32(), fit.Iterations);
        Assert.False(fit.SolvedByQr);
    }
}
