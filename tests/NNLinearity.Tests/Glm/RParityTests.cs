using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using NNLinearity.Glm;
using NNLinearity.Tests.Fixtures;
using NNLinearity.Tests.Reference;
using Xunit;

namespace NNLinearity.Tests.Glm;

/// <summary>Every case of make_fixtures.R, fitted here and compared with R's glm, under both least-squares solvers.</summary>
public class RParityTests
{
    // R prints results of a converged IRLS (epsilon 1e-8 on the relative deviance change); the bar is 1e-6
    // relative. The absolute floor 1e-9 (times the scale of the quantity) covers true zeros such as Dobson's
    // treatment effects, which R reports as about 1e-16.
    private const double Rel = 1e-6;

    public static TheoryData<string, GlmSolver> Cases()
    {
        var data = new TheoryData<string, GlmSolver>();
        foreach (string name in RFixtures.CaseNames)
        {
            data.Add(name, GlmSolver.Auto);
            data.Add(name, GlmSolver.Qr);
        }

        return data;
    }

    internal static GlmFit FitCase(JsonElement c, GlmSolver solver, int threads = 1, bool keepRows = true)
    {
        int rows = c.GetProperty("rows").GetInt32(), cols = c.GetProperty("cols").GetInt32();
        double[] x = cols == 0 ? [] : c.Doubles("x");
        var options = new GlmOptions
        {
            Intercept = c.GetProperty("intercept").GetBoolean(),
            ColumnNames = cols == 0 ? [] : c.Strings("columns"),
            Weights = c.Doubles("weights"),
            Offset = c.Has("offset") ? c.Doubles("offset") : null,
            Start = c.Has("start") ? c.Doubles("start") : null,
            Solver = solver,
            MaxDegreeOfParallelism = threads,
            KeepRowResults = keepRows,
        };
        return NNLinearity.Glm.Glm.Fit(x, rows, cols, c.Doubles("y"), RFixtures.Family(c.GetProperty("family")), RFixtures.Link(c.GetProperty("link")), options);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Fit_MatchesR(string name, GlmSolver solver)
    {
        JsonElement c = RFixtures.Case(name);
        GlmFit fit = FitCase(c, solver);

        Assert.Equal(c.Strings("coef_names"), fit.CoefficientNames);
        double[] coef = c.Doubles("coefficients");
        double scale = coef.Where(double.IsFinite).Select(Math.Abs).DefaultIfEmpty(1).Max();
        Tolerance.Equal(coef, fit.Coefficients, Rel, 1e-9 * scale, "coefficients");
        Tolerance.Equal(c.Doubles("se"), fit.StandardErrors, Rel, 0, "standard errors");
        Tolerance.Equal(c.Doubles("statistic"), fit.Statistics, Rel, 1e-8, "statistics");
        Tolerance.Equal(c.Doubles("p"), fit.PValues, Rel, 1e-12, "p-values");
        double[] vcov = c.Doubles("vcov");
        double vscale = vcov.Where(double.IsFinite).Select(Math.Abs).DefaultIfEmpty(1).Max();
        Tolerance.Equal(vcov, Flatten(fit.Covariance), Rel, 1e-9 * vscale, "covariance");

        Tolerance.Equal(c.GetProperty("deviance").GetDouble(), fit.Deviance, Rel, 1e-10, "deviance");
        Tolerance.Equal(c.GetProperty("null_deviance").GetDouble(), fit.NullDeviance, Rel, 1e-10, "null deviance");
        Assert.Equal(c.GetProperty("df_residual").GetInt32(), fit.ResidualDegreesOfFreedom);
        Assert.Equal(c.GetProperty("df_null").GetInt32(), fit.NullDegreesOfFreedom);
        Assert.Equal(c.GetProperty("rank").GetInt32(), fit.Rank);
        Assert.Equal(c.GetProperty("iterations").GetInt32(), fit.Iterations);
        Assert.True(fit.Converged);
        double dispersion = c.NumberOrNull("dispersion") ?? double.NaN;
        Tolerance.Equal(dispersion, fit.Dispersion, Rel, 1e-12, "dispersion");
        Assert.Equal(double.IsNaN(dispersion), fit.Diagnostics.Any(d => d.Kind == GlmDiagnosticKind.NoResidualDegreesOfFreedom));

        // A saturated Gaussian fit has a deviance of rounding noise (R: ~1e-30), whose log enters the AIC: nothing to compare.
        if (fit.ResidualDegreesOfFreedom > 0)
        {
            CheckOptional(c.NumberOrNull("aic"), fit.Aic, "AIC");
            CheckOptional(c.NumberOrNull("loglik"), fit.LogLikelihood, "log-likelihood");
            CheckOptional(c.NumberOrNull("bic"), fit.Bic, "BIC");
        }

        double yscale = c.Doubles("y").Select(Math.Abs).Max();
        Tolerance.Equal(c.Doubles("fitted"), fit.FittedValues, Rel, 1e-9 * yscale, "fitted values");
        Tolerance.Equal(c.Doubles("eta"), fit.LinearPredictors, Rel, 1e-9, "linear predictors");
        Tolerance.Equal(c.Doubles("working_weights"), fit.WorkingWeights, Rel, 1e-12, "working weights");
        Tolerance.Equal(c.Doubles("res_response"), fit.Residuals(GlmResidualType.Response), Rel, 1e-9 * yscale, "response residuals");
        Tolerance.Equal(c.Doubles("res_working"), fit.Residuals(GlmResidualType.Working), Rel, 1e-9, "working residuals");
        Tolerance.Equal(c.Doubles("res_pearson"), fit.Residuals(GlmResidualType.Pearson), Rel, 1e-9, "Pearson residuals");
        Tolerance.Equal(c.Doubles("res_deviance"), fit.Residuals(GlmResidualType.Deviance), Rel, 1e-9, "deviance residuals");
        Tolerance.Equal(c.Doubles("res_pearson").Sum(r => r * r), fit.PearsonChiSquare, Rel, 1e-12, "Pearson chi-square");

        int rows = c.GetProperty("rows").GetInt32(), cols = c.GetProperty("cols").GetInt32();
        double[] x = cols == 0 ? [] : c.Doubles("x");
        double[]? offset = c.Has("offset") ? c.Doubles("offset") : null;
        GlmPrediction link = fit.Predict(x, rows, cols, GlmPredictionScale.Link, offset);
        GlmPrediction response = fit.Predict(x, rows, cols, GlmPredictionScale.Response, offset);
        Tolerance.Equal(c.Doubles("pred_link"), link.Fit, Rel, 1e-9, "predicted eta");
        Tolerance.Equal(c.Doubles("pred_link_se"), link.StandardErrors, Rel, 1e-12, "SE of predicted eta");
        Tolerance.Equal(c.Doubles("pred_response"), response.Fit, Rel, 1e-9 * yscale, "predicted mu");
        Tolerance.Equal(c.Doubles("pred_response_se"), response.StandardErrors, Rel, 1e-12, "SE of predicted mu");

        if (c.Has("ci_lower"))
        {
            IReadOnlyList<ConfidenceInterval> ci = fit.ConfidenceIntervals();
            Tolerance.Equal(c.Doubles("ci_lower"), ci.Select(i => i.Lower).ToArray(), Rel, 1e-9 * scale, "CI lower");
            Tolerance.Equal(c.Doubles("ci_upper"), ci.Select(i => i.Upper).ToArray(), Rel, 1e-9 * scale, "CI upper");
        }

        // None of R's cases is separated: the separation certificate must not fire on any of them.
        Assert.DoesNotContain(fit.Diagnostics, d => d.Kind == GlmDiagnosticKind.Separation);
        bool aliased = coef.Any(double.IsNaN);
        Assert.Equal(aliased, fit.Diagnostics.Any(d => d.Kind == GlmDiagnosticKind.AliasedColumns));
        Assert.Equal(aliased, fit.Aliased.Any(a => a));
    }

    /// <summary>
    /// A fit without per-row results gives every other result bit for bit, on pooled buffers that were left full of
    /// NaN by an earlier user of the pool (so a buffer read before it is written would show).
    /// </summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void FitWithoutRowResults_GivesTheSameModel(string name, GlmSolver solver)
    {
        JsonElement c = RFixtures.Case(name);
        GlmFit full = FitCase(c, solver);
        int rows = c.GetProperty("rows").GetInt32();
        var stale = new List<double[]>();
        for (int k = 0; k < 8; k++)
        {
            double[] a = System.Buffers.ArrayPool<double>.Shared.Rent(rows);
            a.AsSpan().Fill(double.NaN);
            stale.Add(a);
        }

        foreach (double[] a in stale) System.Buffers.ArrayPool<double>.Shared.Return(a);
        GlmFit lean = FitCase(c, solver, keepRows: false);

        Assert.True(full.HasRowResults);
        Assert.False(lean.HasRowResults);
        Assert.Equal(rows, lean.RowCount);
        Assert.Equal(full.Coefficients, lean.Coefficients);
        Assert.Equal(full.StandardErrors, lean.StandardErrors);
        Assert.Equal(Flatten(full.Covariance), Flatten(lean.Covariance));
        Assert.Equal(full.Deviance, lean.Deviance);
        Assert.Equal(full.NullDeviance, lean.NullDeviance);
        Assert.Equal(full.Dispersion, lean.Dispersion);
        Assert.Equal(full.Aic, lean.Aic);
        Assert.Equal(full.Iterations, lean.Iterations);
        Assert.Equal(full.Diagnostics.Select(d => d.Kind), lean.Diagnostics.Select(d => d.Kind));
        Assert.Equal(full.Summary(), lean.Summary());
        var e = Assert.Throws<InvalidOperationException>(() => lean.FittedValues);
        Assert.Contains("KeepRowResults", e.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => lean.LinearPredictors);
        Assert.Throws<InvalidOperationException>(() => lean.WorkingWeights);
        Assert.Throws<InvalidOperationException>(() => lean.Response);
        Assert.Throws<InvalidOperationException>(() => lean.PriorWeights);
        Assert.Throws<InvalidOperationException>(() => lean.Residuals(GlmResidualType.Pearson));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Anova_MatchesR(string name, GlmSolver solver)
    {
        JsonElement c = RFixtures.Case(name);
        if (!c.Has("anova")) return;
        JsonElement a = c.GetProperty("anova");
        GlmFit large = FitCase(c, solver);

        // The smaller model keeps the listed columns of the larger one.
        int rows = c.GetProperty("rows").GetInt32(), cols = c.GetProperty("cols").GetInt32();
        double[] x = c.Doubles("x");
        int[] keep = a.GetProperty("small_columns").ValueKind == JsonValueKind.Array
            ? a.GetProperty("small_columns").EnumerateArray().Select(v => v.GetInt32()).ToArray()
            : [a.GetProperty("small_columns").GetInt32()];
        double[] xs = new double[rows * keep.Length];
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < keep.Length; j++) xs[i * keep.Length + j] = x[i * cols + keep[j]];
        }

        GlmFit small = NNLinearity.Glm.Glm.Fit(xs, rows, keep.Length, c.Doubles("y"), RFixtures.Family(c.GetProperty("family")), RFixtures.Link(c.GetProperty("link")),
            new GlmOptions { Weights = c.Doubles("weights"), Solver = solver });
        AnovaTest test = a.GetProperty("test").GetString() == "F" ? AnovaTest.F : AnovaTest.ChiSquare;
        GlmAnova table = GlmAnova.Compare([small, large], test);
        Tolerance.Equal(a.Doubles("resid_dev"), table.Rows.Select(r => r.ResidualDeviance).ToArray(), Rel, 1e-10, "residual deviances");
        Tolerance.Equal(a.Doubles("resid_df"), table.Rows.Select(r => (double)r.ResidualDegreesOfFreedom).ToArray(), 0, 0, "residual df");
        Tolerance.Equal(a.GetProperty("df").GetDouble(), table.Rows[1].DegreesOfFreedom, 0, 0, "df");
        Tolerance.Equal(a.GetProperty("deviance").GetDouble(), table.Rows[1].Deviance, Rel, 1e-10, "deviance");
        if (test == AnovaTest.F) Tolerance.Equal(a.GetProperty("f").GetDouble(), table.Rows[1].F, Rel, 1e-10, "F");
        Tolerance.Equal(a.GetProperty("p").GetDouble(), table.Rows[1].PValue, Rel, 1e-14, "p-value");
    }

    [Fact]
    public void Dobson_MatchesHelpPage()
    {
        // R's ?glm prints: Residual deviance 5.1291 on 4 degrees of freedom, AIC 56.76.
        GlmFit fit = FitCase(RFixtures.Case("dobson_poisson_log"), GlmSolver.Auto);
        Assert.Equal(5.129141, fit.Deviance, 6);
        Assert.Equal(4, fit.ResidualDegreesOfFreedom);
        Assert.Equal(56.76, fit.Aic!.Value, 2);
    }

    private static void CheckOptional(double? expected, double? actual, string what)
    {
        if (expected is null)
        {
            Assert.Null(actual);
            return;
        }

        Assert.NotNull(actual);
        Tolerance.Equal(expected.Value, actual.Value, Rel, 1e-9, what);
    }

    private static double[] Flatten(double[,] m)
    {
        int r = m.GetLength(0), k = m.GetLength(1);
        double[] f = new double[r * k];
        for (int i = 0; i < r; i++)
        {
            for (int j = 0; j < k; j++) f[i * k + j] = m[i, j];
        }

        return f;
    }
}
