using System;
using System.Linq;
using NNLinearity.Families;
using NNLinearity.Glm;
using NNLinearity.Links;
using Xunit;

namespace NNLinearity.Tests.Glm;

public class GlmInputAndDiagnosticsTests
{
    private static readonly double[,] X = { { 1.0 }, { 2.0 }, { 3.0 }, { 4.0 }, { 5.0 }, { 6.0 } };
    private static readonly double[] Counts = [1, 0, 2, 4, 3, 6];

    private static GlmFit Fit(double[,] x, double[] y, GlmFamily f, ILinkFunction? link = null, GlmOptions? o = null) => NNLinearity.Glm.Glm.Fit(x, y, f, link, o);

    [Fact]
    public void ShapeMismatch_NamesY()
    {
        var ex = Assert.Throws<ArgumentException>(() => Fit(X, [1, 2, 3], GlmFamily.Poisson));
        Assert.Equal("y", ex.ParamName);
        Assert.Contains("3 values", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RowMajorSpan_WrongLength_NamesX()
    {
        var ex = Assert.Throws<ArgumentException>(() => NNLinearity.Glm.Glm.Fit(new double[5], 3, 2, Counts, GlmFamily.Poisson));
        Assert.Equal("x", ex.ParamName);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void NonFinitePredictor_NamesXAndTheCell(double bad)
    {
        double[,] x = (double[,])X.Clone();
        x[3, 0] = bad;
        var ex = Assert.Throws<ArgumentException>(() => Fit(x, Counts, GlmFamily.Poisson));
        Assert.Equal("x", ex.ParamName);
        Assert.Contains("x[3, 0]", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NonFiniteResponse_NamesY()
    {
        var ex = Assert.Throws<ArgumentException>(() => Fit(X, [1, 0, double.NaN, 4, 3, 6], GlmFamily.Poisson));
        Assert.Equal("y", ex.ParamName);
    }

    [Fact]
    public void NegativeWeight_IsRejected()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Fit(X, Counts, GlmFamily.Poisson, o: new GlmOptions { Weights = [1, 1, -1, 1, 1, 1] }));
        Assert.Contains("Weights[2]", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NonFiniteOffset_IsRejected()
    {
        var ex = Assert.Throws<ArgumentException>(() => Fit(X, Counts, GlmFamily.Poisson, o: new GlmOptions { Offset = [0, 0, double.NegativeInfinity, 0, 0, 0] }));
        Assert.Contains("Offset[2]", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("poisson", -1.0)]
    [InlineData("binomial", 1.5)]
    [InlineData("binomial", -0.1)]
    [InlineData("Gamma", 0.0)]
    [InlineData("inverse.gaussian", -2.0)]
    [InlineData("negbin", -1.0)]
    [InlineData("tweedie", -0.5)]
    [InlineData("quasibinomial", 1.5)]
    [InlineData("quasipoisson", -1.0)]
    [InlineData("binomial without ones", 1.0)]
    public void ResponseOutsideSupport_IsRejected(string family, double bad)
    {
        GlmFamily f = family switch
        {
            "poisson" => GlmFamily.Poisson,
            "binomial" => GlmFamily.Binomial,
            "quasibinomial" => GlmFamily.QuasiBinomial,
            "quasipoisson" => GlmFamily.QuasiPoisson,
            "binomial without ones" => new BinomialWithoutOnes(),
            "Gamma" => GlmFamily.Gamma,
            "inverse.gaussian" => GlmFamily.InverseGaussian,
            "negbin" => GlmFamily.NegativeBinomial(2),
            _ => GlmFamily.Tweedie(1.5),
        };
        double[] y = [0.5, 0.5, bad, 0.5, 0.5, 0.5];
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Fit(X, y, f));
        Assert.Equal("y", ex.ParamName);
        Assert.Contains("outside the support", ex.Message, StringComparison.Ordinal);
    }

    /// <summary>A user's family that narrows the binomial support: its own IsValidResponse is what a fit must ask.</summary>
    private sealed class BinomialWithoutOnes : BinomialFamily
    {
        public override bool IsValidResponse(double y) => y >= 0 && y < 1;

        public override string ResponseSupport => "proportions in [0, 1)";
    }

    [Fact]
    public void InvalidFamilyLinkPair_NamesLink()
    {
        var ex = Assert.Throws<ArgumentException>(() => Fit(X, Counts, GlmFamily.Poisson, new LogitLink()));
        Assert.Equal("link", ex.ParamName);
        Assert.Contains("logit link is not available for the poisson family", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => Fit(X, [0, 1, 0, 1, 1, 0], GlmFamily.Binomial, new InverseLink()));
        Assert.Throws<ArgumentException>(() => Fit(X, [1, 2, 3, 4, 5, 6], GlmFamily.Gamma, new ProbitLink()));
    }

    [Fact]
    public void EmptyData_IsRejected()
    {
        var ex = Assert.Throws<ArgumentException>(() => Fit(new double[0, 1], [], GlmFamily.Gaussian));
        Assert.Equal("x", ex.ParamName);
        Assert.Contains("no rows", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void InvalidFamilyParameters_AreRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => GlmFamily.Tweedie(double.PositiveInfinity)); // statmod takes any finite power
        Assert.Throws<ArgumentOutOfRangeException>(() => GlmFamily.NegativeBinomial(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PowerLink(double.NaN));
    }

    [Fact]
    public void MoreColumnsThanRows_IsARankDeficientFit()
    {
        var rng = new Random(3);
        double[,] x = new double[4, 6];
        for (int i = 0; i < 4; i++)
        {
            for (int j = 0; j < 6; j++) x[i, j] = rng.NextDouble();
        }

        GlmFit fit = Fit(x, [1, 2, 3, 5], GlmFamily.Poisson);
        Assert.Equal(4, fit.Rank);
        Assert.Equal(3, fit.Coefficients.Count(double.IsNaN));
        Assert.Contains(fit.Diagnostics, d => d.Kind == GlmDiagnosticKind.AliasedColumns && d.Message.Contains("x4", StringComparison.Ordinal));
        Assert.All(fit.FittedValues, v => Assert.True(double.IsFinite(v)));
    }

    /// <summary>Complete separation: R warns "fitted probabilities numerically 0 or 1"; here it is a diagnostic, with finite numbers and a bounded number of iterations.</summary>
    [Fact]
    public void CompleteSeparation_IsReportedNotLooped()
    {
        double[] y = [0, 0, 0, 1, 1, 1];
        GlmFit fit = Fit(X, y, GlmFamily.Binomial);
        Assert.Contains(fit.Diagnostics, d => d.Kind == GlmDiagnosticKind.FittedProbabilitiesZeroOrOne);
        Assert.Contains(fit.Diagnostics, d => d.Kind == GlmDiagnosticKind.Separation);
        Assert.InRange(fit.Iterations, 1, 25);
        Assert.All(fit.Coefficients, b => Assert.True(double.IsFinite(b)));
        Assert.All(fit.FittedValues, m => Assert.InRange(m, 0.0, 1.0));
        Assert.True(fit.Deviance < 1e-6);
    }

    [Fact]
    public void QuasiCompleteSeparation_IsReported()
    {
        double[,] x = { { 0 }, { 0 }, { 0 }, { 1 }, { 1 }, { 1 }, { 2 }, { 2 } };
        double[] y = [0, 0, 0, 0, 1, 0, 1, 1];
        // R converges here (fitted 5.7e-10, above its 10 eps threshold) without a warning; the certificate finds it.
        GlmFit fit = Fit(x, y, GlmFamily.Binomial);
        GlmDiagnostic d = Assert.Single(fit.Diagnostics, d => d.Kind == GlmDiagnosticKind.Separation);
        Assert.Contains("(Intercept), x1", d.Message, StringComparison.Ordinal);
        Assert.NotNull(fit.DivergenceDirection);
        Assert.All(fit.StandardErrors, s => Assert.False(double.IsNaN(s)));
    }

    [Fact]
    public void PoissonZeroRates_AreReported()
    {
        double[,] x = { { 0 }, { 0 }, { 0 }, { 1 }, { 1 }, { 1 } };
        GlmFit fit = Fit(x, [0, 0, 0, 3, 5, 4], GlmFamily.Poisson);
        Assert.Contains(fit.Diagnostics, d => d.Kind == GlmDiagnosticKind.Separation);
    }

    /// <summary>An overlapping (non-separated) data set never gets a separation diagnostic, over many seeds.</summary>
    [Fact]
    public void OverlappingData_IsNeverReportedAsSeparated()
    {
        for (int seed = 0; seed < 200; seed++)
        {
            var rng = new Random(seed);
            int n = 8 + seed % 30;
            double[,] x = new double[n, 2];
            double[] y = new double[n];
            for (int i = 0; i < n; i++)
            {
                x[i, 0] = rng.NextDouble();
                x[i, 1] = rng.NextDouble();
                y[i] = i % 2;
            }

            y[0] = 1; // rows with identical predictors and different outcomes cannot be separated
            y[1] = 0;
            x[1, 0] = x[0, 0];
            x[1, 1] = x[0, 1];
            GlmFit fit = Fit(x, y, GlmFamily.Binomial);
            if (fit.Diagnostics.Any(d => d.Kind == GlmDiagnosticKind.Separation))
            {
                // Only allowed if the data really are separated apart from the tied pair; check the certificate.
                double[] d = fit.DivergenceDirection!.ToArray();
                for (int i = 0; i < n; i++)
                {
                    double a = d[0] + d[1] * x[i, 0] + d[2] * x[i, 1];
                    Assert.True(y[i] == 1 ? a >= -1e-6 : a <= 1e-6, $"seed {seed}: row {i} violates the reported direction");
                }
            }
        }
    }

    [Fact]
    public void IterationLimit_IsReportedAsNotConverged()
    {
        GlmFit fit = Fit(X, Counts, GlmFamily.Poisson, o: new GlmOptions { MaxIterations = 1 });
        Assert.False(fit.Converged);
        Assert.Contains(fit.Diagnostics, d => d.Kind == GlmDiagnosticKind.NotConverged);
        Assert.Equal(1, fit.Iterations);
    }

    [Fact]
    public void NoValidStart_ThrowsTypedError()
    {
        // Gaussian with a log link and a zero response: R stops with "cannot find valid starting values".
        Assert.Throws<GlmFitException>(() => Fit(X, [0, 1, 2, 3, 4, 5], GlmFamily.Gaussian, new LogLink()));
        GlmFit fit = Fit(X, [0, 1, 2, 3, 4, 5], GlmFamily.Gaussian, new LogLink(), new GlmOptions { Start = [0.5, 0.2] });
        Assert.True(fit.Converged);
    }

    [Fact]
    public void SameInputs_GiveBitIdenticalFits_ForEveryThreadCount()
    {
        int n = 60_000, k = 5;
        var rng = new Random(11);
        double[] x = new double[n * k], y = new double[n];
        for (int i = 0; i < n; i++)
        {
            double eta = -0.3;
            for (int j = 0; j < k; j++)
            {
                x[i * k + j] = rng.NextDouble() * 2 - 1;
                eta += 0.4 * x[i * k + j];
            }

            y[i] = rng.NextDouble() < 1 / (1 + Math.Exp(-eta)) ? 1 : 0;
        }

        GlmFit one = NNLinearity.Glm.Glm.Fit(x, n, k, y, GlmFamily.Binomial, options: new GlmOptions { MaxDegreeOfParallelism = 1 });
        GlmFit two = NNLinearity.Glm.Glm.Fit(x, n, k, y, GlmFamily.Binomial, options: new GlmOptions { MaxDegreeOfParallelism = 2 });
        GlmFit eight = NNLinearity.Glm.Glm.Fit(x, n, k, y, GlmFamily.Binomial, options: new GlmOptions { MaxDegreeOfParallelism = 8 });
        Assert.Equal(one.Coefficients, two.Coefficients);
        Assert.Equal(one.Coefficients, eight.Coefficients);
        Assert.Equal(one.StandardErrors, eight.StandardErrors);
        Assert.Equal(one.Deviance, eight.Deviance);
    }

    /// <summary>An analysis of deviance needs no per-row results: lean fits give the same table, and fits on different row counts are refused.</summary>
    [Fact]
    public void Anova_OfFitsWithoutRowResults_MatchesFullFits()
    {
        var lean = new GlmOptions { KeepRowResults = false };
        GlmFit smallFull = Fit(new double[6, 0], Counts, GlmFamily.Poisson), largeFull = Fit(X, Counts, GlmFamily.Poisson);
        GlmFit smallLean = Fit(new double[6, 0], Counts, GlmFamily.Poisson, o: lean), largeLean = Fit(X, Counts, GlmFamily.Poisson, o: lean);
        Assert.Equal(GlmAnova.Compare([smallFull, largeFull]).Rows, GlmAnova.Compare([smallLean, largeLean]).Rows);
        GlmFit fewer = Fit(new double[,] { { 1.0 }, { 2.0 }, { 3.0 }, { 4.0 }, { 5.0 } }, [1, 0, 2, 4, 3], GlmFamily.Poisson, o: lean);
        Assert.Throws<ArgumentException>(() => GlmAnova.Compare([fewer, largeLean]));
    }

    /// <summary>Unweighted fits expose their unit prior weights as a vector nothing can write to (no array, no writable list).</summary>
    [Fact]
    public void PriorWeights_OfUnweightedFits_AreReadOnlyOnes()
    {
        GlmFit a = Fit(X, Counts, GlmFamily.Poisson);
        Assert.Equal(Counts.Length, a.PriorWeights.Count);
        Assert.All(a.PriorWeights, v => Assert.Equal(1.0, v));
        Assert.False(a.PriorWeights is double[]);
        Assert.False(a.PriorWeights is System.Collections.Generic.IList<double> list && !list.IsReadOnly);
    }

    [Fact]
    public void Summary_ReadsLikeR()
    {
        GlmFit fit = Fit(X, Counts, GlmFamily.Poisson, o: new GlmOptions { ColumnNames = ["dose"] });
        string s = fit.Summary();
        Assert.Contains("Estimate Std. Error z value Pr(>|z|)", s, StringComparison.Ordinal);
        Assert.Contains("(Intercept)", s, StringComparison.Ordinal);
        Assert.Contains("dose", s, StringComparison.Ordinal);
        Assert.Contains("(Dispersion parameter for poisson family taken to be 1)", s, StringComparison.Ordinal);
        Assert.Contains("Residual deviance:", s, StringComparison.Ordinal);
        Assert.Contains("Number of Fisher Scoring iterations:", s, StringComparison.Ordinal);
        string q = Fit(X, Counts, GlmFamily.QuasiPoisson).Summary();
        Assert.Contains("t value Pr(>|t|)", q, StringComparison.Ordinal);
        Assert.Contains("AIC: NA", q, StringComparison.Ordinal);
    }

    [Fact]
    public void PredictFittedRows_GivesFittedValues()
    {
        GlmFit fit = Fit(X, Counts, GlmFamily.Poisson);
        GlmPrediction onTraining = fit.Predict(X, GlmPredictionScale.Response);
        GlmPrediction onSpan = fit.Predict(new double[] { 1, 2, 3, 4, 5, 6 }, 6, 1, GlmPredictionScale.Response);
        for (int i = 0; i < Counts.Length; i++)
        {
            Assert.Equal(fit.FittedValues[i], onTraining.Fit[i], 12);
            Assert.Equal(onTraining.StandardErrors[i], onSpan.StandardErrors[i], 15);
        }

        Assert.Throws<ArgumentException>(() => fit.Predict(new double[2, 3]));
    }

    [Fact]
    public void MathNetInputs_GiveTheSameFit()
    {
        var m = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.DenseOfArray(X);
        var v = MathNet.Numerics.LinearAlgebra.Vector<double>.Build.DenseOfArray(Counts);
        GlmFit a = NNLinearity.Glm.Glm.Fit(m, v, GlmFamily.Poisson);
        GlmFit b = Fit(X, Counts, GlmFamily.Poisson);
        Assert.Equal(b.Coefficients, a.Coefficients);
    }
}
