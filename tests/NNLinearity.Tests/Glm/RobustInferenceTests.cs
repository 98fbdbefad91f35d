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
/// Sandwich and cluster-robust covariances and influence measures against R (sandwich 3.0.2 and stats on R 4.2.2;
/// Fixtures/make_inference.R), on seven fits across the Gaussian, binomial (logit, probit, weighted proportions),
/// Poisson, Gamma and quasi-Poisson families.
/// </summary>
public class RobustInferenceTests
{
    private static readonly Lazy<Dictionary<string, JsonElement>> Cases = new(() => RFixtures.NamedCases("inference_cases.json"));

    public static TheoryData<string> Names() => RFixtures.TheoryNames("inference_cases.json");

    internal static GlmFit Fit(JsonElement c) => RFixtures.FitFormulaCase(c);

    internal static string[] Column(JsonElement c, string name) =>
        c.GetProperty("data").EnumerateArray().First(col => col.GetProperty("name").GetString() == name).GetProperty("values").EnumerateArray()
            .Select(v => v.ValueKind == JsonValueKind.String ? v.GetString()! : v.GetRawText()).ToArray();

    /// <summary>
    /// Entry [a, b] within rel of sqrt(S_aa S_bb), S the scale matrix (the expected one unless given): cluster sums of
    /// scores can cancel (a factor in the model that is also the cluster makes its columns' sums 0 up to rounding), so
    /// their rounding is judged on the scale of the uncancelled HC0 sums.
    /// </summary>
    private static void Matrix(double[] expected, double[,] actual, double rel, string what, double[]? scale = null)
    {
        int p = actual.GetLength(0);
        scale ??= expected;
        for (int a = 0; a < p; a++)
        {
            for (int b = 0; b < p; b++)
            {
                // R stores column-major; symmetric anyway.
                double e = expected[b * p + a];
                double tol = rel * Math.Sqrt(Math.Abs(scale[a * p + a]) * Math.Abs(scale[b * p + b]));
                Tolerance.Equal(e, actual[a, b], 0, tol, $"{what}[{a}, {b}]");
            }
        }
    }

    private static void Vector(double[] expected, IReadOnlyList<double> actual, double rel, string what)
    {
        Assert.Equal(expected.Length, actual.Count);
        double scale = expected.Where(double.IsFinite).Select(Math.Abs).DefaultIfEmpty(0).Max();
        for (int i = 0; i < expected.Length; i++) Tolerance.Equal(expected[i], actual[i], rel, rel * 1e-3 * scale, $"{what}[{i}]");
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void SandwichCovariancesMatchR(string name)
    {
        JsonElement c = Cases.Value[name];
        GlmFit fit = Fit(c);
        Vector(c.Doubles("coefficients"), fit.Coefficients, 1e-9, "coefficients");
        Matrix(c.Doubles("vcov"), fit.Covariance, 1e-8, "vcov");
        Matrix(c.Doubles("hc0"), fit.RobustCovariance(RobustCovarianceType.HC0), 1e-7, "HC0");
        Matrix(c.Doubles("hc1"), fit.RobustCovariance(RobustCovarianceType.HC1), 1e-7, "HC1");
        Matrix(c.Doubles("hc2"), fit.RobustCovariance(RobustCovarianceType.HC2), 1e-7, "HC2");
        Matrix(c.Doubles("hc3"), fit.RobustCovariance(), 1e-7, "HC3");
        string[] cluster = Column(c, c.GetProperty("cluster").GetString()!);
        double[] hc0 = c.Doubles("hc0");
        Matrix(c.Doubles("cl0"), fit.ClusterRobustCovariance(cluster, RobustCovarianceType.HC0), 1e-7, "vcovCL HC0", hc0);
        Matrix(c.Doubles("cl0"), fit.ClusterRobustCovariance(cluster), 1e-7, "vcovCL default (HC0 for glm)", hc0);
        Matrix(c.Doubles("cl1"), fit.ClusterRobustCovariance(cluster, RobustCovarianceType.HC1), 1e-7, "vcovCL HC1", hc0);
        Matrix(c.Doubles("cl1_noadjust"), fit.ClusterRobustCovariance(cluster, RobustCovarianceType.HC1, adjust: false), 1e-7, "vcovCL HC1 without G/(G-1)", hc0);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void InfluenceMeasuresMatchR(string name)
    {
        JsonElement c = Cases.Value[name];
        GlmInfluence inf = Fit(c).Influence();
        Vector(c.Doubles("hat"), inf.Hat, 1e-7, "hat");
        Vector(c.Doubles("rstandard_deviance"), inf.StandardizedDevianceResiduals, 1e-7, "rstandard");
        Vector(c.Doubles("rstandard_pearson"), inf.StandardizedPearsonResiduals, 1e-7, "rstandard pearson");
        Vector(c.Doubles("rstudent"), inf.StudentizedResiduals, 1e-7, "rstudent");
        Vector(c.Doubles("cooks"), inf.CooksDistance, 1e-7, "cooks.distance");
        Vector(c.Doubles("dffits"), inf.DfFits, 1e-7, "dffits");
        Vector(c.Doubles("covratio"), inf.CovarianceRatio, 1e-7, "covratio");
        Vector(c.Doubles("dfbeta"), inf.DfBeta.Cast<double>().ToArray(), 1e-7, "dfbeta");
        Vector(c.Doubles("dfbetas"), inf.DfBetas.Cast<double>().ToArray(), 1e-7, "dfbetas");
        bool[] flagged = c.GetProperty("influential").EnumerateArray().Select(v => v.GetBoolean()).ToArray();
        Assert.Equal(flagged, inf.Influential);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void CoefficientTestsUseTheGivenCovariance(string name)
    {
        // lmtest::coeftest(fit, vcov = vcovCL(fit, cluster)) for a glm (vcovCL's default type for glm objects is HC0): z = b / se with R's standard errors, p = 2 Phi(-|z|).
        JsonElement c = Cases.Value[name];
        GlmFit fit = Fit(c);
        string[] cluster = Column(c, c.GetProperty("cluster").GetString()!);
        CoefficientTest t = fit.TestCoefficients(fit.ClusterRobustCovariance(cluster));
        double[] b = c.Doubles("coefficients"), v = c.Doubles("cl0"), hc0 = c.Doubles("hc0");
        int p = b.Length;
        bool cancelled = false;
        for (int j = 0; j < p; j++)
        {
            double se = Math.Sqrt(v[j * p + j]), z = b[j] / se;
            if (se < 1e-4 * Math.Sqrt(hc0[j * p + j]))
            {
                cancelled = true; // a cancelled cluster sum (see Matrix): rounding noise in R and here
                continue;
            }

            Tolerance.Equal(se, t.StandardErrors[j], 1e-7, 0, $"se[{j}]");
            Tolerance.Equal(z, t.Statistics[j], 1e-7, 1e-9, $"z[{j}]");
            Tolerance.Equal(2 * MathNet.Numerics.Distributions.Normal.CDF(0, 1, -Math.Abs(z)), t.PValues[j], 1e-6, 1e-300, $"p[{j}]");
        }

        // The printed table is R's, character for character (R's curly quotes aside), where no sum cancelled.
        if (cancelled) return;
        string[] r = c.Strings("coeftest_cl1").Select(l => l.Replace('\u2018', '\'').Replace('\u2019', '\'')).ToArray();
        Assert.Equal(string.Join("\n", r).TrimEnd(), t.ToString().Replace(Environment.NewLine, "\n", StringComparison.Ordinal).TrimEnd());
    }

    /// <summary>
    /// A fit on R's HC3 covariance: its standard errors, z tests, Wald intervals (lmtest::coefci) and prediction
    /// standard errors (sqrt(x^T V x) |dmu/deta|, computed here from R's matrix) all follow the given covariance.
    /// </summary>
    [Theory]
    [MemberData(nameof(Names))]
    public void AGivenCovarianceDrivesSummaryIntervalsAndPredictions(string name)
    {
        JsonElement c = Cases.Value[name];
        GlmFit fit = Fit(c);
        double[] v = c.Doubles("hc3");
        int p = fit.CoefficientCount;
        GlmFit robust = fit.WithCovariance(fit.RobustCovariance());
        Assert.True(robust.UserCovariance);
        IReadOnlyList<ConfidenceInterval> ci = robust.ConfidenceIntervals(0.95);
        for (int j = 0; j < p; j++)
        {
            double se = Math.Sqrt(v[j * p + j]);
            Tolerance.Equal(se, robust.StandardErrors[j], 1e-7, 0, $"SE {j}");
            Tolerance.Equal(fit.Coefficients[j] - 1.959963984540054 * se, ci[j].Lower, 1e-7, 1e-9 * se, $"coefci lower {j}");
        }

        Assert.Contains("from the given covariance", robust.Summary(), StringComparison.Ordinal);
        var table = FormulaParityTests.Table(c.GetProperty("data"));
        GlmPrediction pr = robust.Predict(table, GlmPredictionScale.Link);
        double[,] x = fit.Design!.ToArray(withIntercept: true);
        for (int i = 0; i < Math.Min(5, x.GetLength(0)); i++)
        {
            double q = 0;
            for (int a = 0; a < p; a++) for (int b = 0; b < p; b++) q += x[i, a] * v[a * p + b] * x[i, b];
            Tolerance.Equal(Math.Sqrt(q), pr.StandardErrors[i], 1e-7, 0, $"prediction SE {i}");
        }

        var bad = new double[p, p];
        bad[0, 0] = -1;
        Assert.Equal("covariance", Assert.Throws<ArgumentException>(() => fit.WithCovariance(bad)).ParamName);
    }

    [Fact]
    public void WrongDesignMatricesAndLabelsAreRefused()
    {
        JsonElement c = Cases.Value["gaussian_identity_mtcars"];
        GlmFit formulaFit = Fit(c);
        double[] wt = Column(c, "wt").Select(double.Parse).ToArray(), hp = Column(c, "hp").Select(double.Parse).ToArray(), mpg = Column(c, "mpg").Select(double.Parse).ToArray();
        int n = wt.Length;
        double[] x = new double[n * 2];
        for (int i = 0; i < n; i++) { x[2 * i] = wt[i]; x[2 * i + 1] = hp[i]; }
        GlmFit matrixFit = NNLinearity.Glm.Glm.Fit(x, n, 2, mpg, NNLinearity.Families.GlmFamily.Gaussian, options: new GlmOptions { Epsilon = 1e-12 });
        Matrix(c.Doubles("hc3"), matrixFit.RobustCovariance(x), 1e-7, "HC3 from the matrix");
        Assert.Throws<InvalidOperationException>(() => matrixFit.RobustCovariance());
        double[] reversed = new double[n * 2]; // the right columns in another row order
        for (int i = 0; i < n; i++) { reversed[2 * i] = wt[n - 1 - i]; reversed[2 * i + 1] = hp[n - 1 - i]; }
        var e = Assert.Throws<ArgumentException>(() => matrixFit.RobustCovariance(reversed));
        Assert.Equal("x", e.ParamName);
        Assert.Contains("not the design this model was fitted to", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => matrixFit.Influence(x[..^1]));
        var one = Assert.Throws<ArgumentException>(() => formulaFit.ClusterRobustCovariance(Enumerable.Repeat("a", n).ToArray()));
        Assert.Contains("at least 2 clusters", one.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => formulaFit.ClusterRobustCovariance(new string[n - 1]));
        Assert.Throws<ArgumentException>(() => formulaFit.ClusterRobustCovariance(Column(c, "cyl"), RobustCovarianceType.HC3));
        Assert.Throws<ArgumentOutOfRangeException>(() => formulaFit.RobustCovariance((RobustCovarianceType)9));
        GlmFit lean = NNLinearity.Glm.Glm.Fit(x, n, 2, mpg, NNLinearity.Families.GlmFamily.Gaussian, options: new GlmOptions { KeepRowResults = false });
        Assert.Throws<InvalidOperationException>(() => lean.RobustCovariance(x));
    }

    /// <summary>
    /// A separated binomial/cloglog fit converges by R's rule at coefficients near 1e14 with fitted probabilities
    /// numerically 0 or 1, where the score equations need not hold: its own design is not refused as another one (it
    /// was, with "x is not the design this model was fitted to"), and the sandwich matches R's sandwich::vcovHC
    /// (separated_cloglog.json, make_separated.R).
    /// </summary>
    [Fact]
    public void SeparatedFit_TakesItsOwnDesign_AndMatchesRSandwich()
    {
        JsonElement c = RFixtures.NamedCases("separated_cloglog.json")["separated_cloglog"];
        int n = c.GetProperty("rows").GetInt32(), k = c.GetProperty("columns").GetInt32();
        double[] x = c.Doubles("x");
        GlmFit fit = NNLinearity.Glm.Glm.Fit(x, n, k, c.Doubles("y"), NNLinearity.Families.GlmFamily.Binomial, new NNLinearity.Links.CloglogLink(),
            new GlmOptions { Epsilon = c.GetProperty("epsilon").GetDouble() });
        Assert.True(fit.Converged);
        Assert.Equal(c.GetProperty("iter").GetInt32(), fit.Iterations);
        Assert.Contains(fit.Diagnostics, d => d.Kind == GlmDiagnosticKind.FittedProbabilitiesZeroOrOne);
        Tolerance.Equal(c.GetProperty("deviance").GetDouble(), fit.Deviance, 1e-9, 0, "deviance");
        Tolerance.Equal(c.Doubles("coefficients"), fit.Coefficients.ToArray(), 1e-6, 0, "coefficients");
        double[,] hc0 = fit.RobustCovariance(x, RobustCovarianceType.HC0);
        double[] r = c.Doubles("hc0");
        for (int a = 0; a <= k; a++)
        {
            for (int b = 0; b <= k; b++)
            {
                Tolerance.Equal(r[b * (k + 1) + a], hc0[a, b], 1e-6, 1e-6 * Math.Sqrt(r[a * (k + 2)] * r[b * (k + 2)]), $"HC0[{a}, {b}]");
            }
        }
    }
}
