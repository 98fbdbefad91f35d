using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using NNLinearity.Families;
using NNLinearity.Formulas;
using NNLinearity.Glm;
using NNLinearity.Links;
using NNLinearity.Tests.Fixtures;
using NNLinearity.Tests.Formulas;
using NNLinearity.Tests.Reference;
using Xunit;

namespace NNLinearity.Tests.Glm;

/// <summary>
/// R's quasi family with five variance functions, statmod's Tweedie family at powers -1, 0, 1, 1.5, 2.5 and 3, and a
/// dispersion chosen by the user, against R (Fixtures/make_quasi.R).
/// </summary>
public class QuasiFamilyTests
{
    private static readonly Lazy<Dictionary<string, JsonElement>> Cases = new(() => RFixtures.NamedCases("quasi_cases.json"));

    public static TheoryData<string> Names() => RFixtures.TheoryNames("quasi_cases.json");

    private static GlmFamily Family(JsonElement c) => c.Has("variance")
        ? GlmFamily.Quasi(c.GetProperty("variance").GetString() switch
        {
            "constant" => QuasiVariance.Constant,
            "mu(1-mu)" => QuasiVariance.MuOneMinusMu,
            "mu" => QuasiVariance.Mu,
            "mu^2" => QuasiVariance.MuSquared,
            _ => QuasiVariance.MuCubed,
        })
        : GlmFamily.Tweedie(c.GetProperty("power").GetDouble());

    [Theory]
    [MemberData(nameof(Names))]
    public void FitsAndUserDispersionMatchR(string name)
    {
        JsonElement c = Cases.Value[name];
        var table = FormulaParityTests.Table(c.GetProperty("data"));
        GlmFit fit = RFixtures.FitFormulaCase(c, Family(c));
        double[] b = c.Doubles("coefficients"), se = c.Doubles("se"), seUser = c.Doubles("se_user"), pUser = c.Doubles("p_user");
        double scale = b.Max(Math.Abs);
        for (int j = 0; j < b.Length; j++)
        {
            Tolerance.Equal(b[j], fit.Coefficients[j], 1e-7, 1e-9 * scale, $"coefficient {j}");
            Tolerance.Equal(se[j], fit.StandardErrors[j], 1e-6, 0, $"SE {j}");
        }

        Tolerance.Equal(c.GetProperty("deviance").GetDouble(), fit.Deviance, 1e-8, 1e-12, "deviance");
        Tolerance.Equal(c.GetProperty("dispersion").GetDouble(), fit.Dispersion, 1e-6, 0, "dispersion");
        Assert.Equal(c.GetProperty("iterations").GetInt32(), fit.Iterations);
        Assert.Null(fit.Aic);

        GlmFit user = fit.WithDispersion(2.5);
        for (int j = 0; j < b.Length; j++)
        {
            Tolerance.Equal(seUser[j], user.StandardErrors[j], 1e-6, 0, $"SE {j} at dispersion 2.5");
            Tolerance.Equal(pUser[j], user.PValues[j], 1e-5, 1e-300, $"p {j} at dispersion 2.5");
        }

        GlmPrediction pr = user.Predict(table, GlmPredictionScale.Response); // the first three rows are R's newdata
        double[] fitR = c.Doubles("predict_user"), seR = c.Doubles("predict_se_user");
        for (int i = 0; i < 3; i++)
        {
            Tolerance.Equal(fitR[i], pr.Fit[i], 1e-7, 0, $"prediction {i}");
            Tolerance.Equal(seR[i], pr.StandardErrors[i], 1e-6, 0, $"prediction SE {i} at dispersion 2.5");
        }

        Assert.Contains("taken to be 2.5)", user.Summary(), StringComparison.Ordinal);
    }

    [Fact]
    public void BadFamiliesAndDispersionsAreRefused()
    {
        Assert.Equal("variance", Assert.Throws<ArgumentOutOfRangeException>(() => GlmFamily.Quasi((QuasiVariance)9)).ParamName);
        Assert.Equal("power", Assert.Throws<ArgumentOutOfRangeException>(() => GlmFamily.Tweedie(double.NaN)).ParamName);
        GlmFit fit = NNLinearity.Glm.Glm.Fit(new double[,] { { 1 }, { 2 }, { 3 }, { 4 } }, [1.0, 2.5, 2.9, 4.4], GlmFamily.Gaussian);
        foreach (double bad in new[] { 0.0, -1, double.NaN, double.PositiveInfinity })
        {
            Assert.Equal("dispersion", Assert.Throws<ArgumentOutOfRangeException>(() => fit.WithDispersion(bad)).ParamName);
        }

        Assert.Throws<ArgumentOutOfRangeException>(() => NNLinearity.Glm.Glm.Fit(new double[,] { { 1 }, { 2 }, { 3 } }, [0.5, 0.0, 2.0], GlmFamily.Quasi(QuasiVariance.MuSquared)));
    }
}
