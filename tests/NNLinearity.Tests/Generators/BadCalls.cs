using System;
using System.Collections.Generic;
using System.Linq;
using FsCheck;
using FsCheck.Fluent;
using NNLinearity.Families;
using NNLinearity.Glm;
using NNLinearity.Layers;
using NNLinearity.Linearity;
using NNLinearity.Links;

namespace NNLinearity.Tests.Generators;

/// <summary>
/// A call of a public entry point with one bad input, and what it must end in: an exception of <see cref="Expected"/>
/// whose ParamName is <see cref="Argument"/> (for argument exceptions).
/// </summary>
public sealed record BadCall(string EntryPoint, string Argument, string Corruption, Type Expected, Func<object?> Call)
{
    public override string ToString() => $"{EntryPoint}: {Argument} {Corruption} -> {Expected.Name}";
}

public static partial class BadInputArbitraries
{
    private static readonly double[] NonFinite = [double.NaN, double.PositiveInfinity, double.NegativeInfinity];

    /// <summary>Bad calls of every public entry point: GLM fit, predict, anova; network create, fit, predict, loss; layers; bridge; collapse; analysis.</summary>
    public static Arbitrary<BadCall> BadCalls() =>
        Gen.OneOf(GlmFitCalls(), GlmResultCalls(), NetworkCalls(), LayerCalls(), BridgeAndAnalysisCalls(), TableCalls(), StatisticalNetworkCalls(), StreamingCalls(), LinkSpanCalls()).ToArbitrary();

    /// <summary>Every built-in link and a user's link (the interface's own span members), each span member, both precisions.</summary>
    internal static readonly ILinkFunction[] SpanLinks =
    [
        new IdentityLink(), new LogLink(), new LogitLink(), new ProbitLink(), new CloglogLink(), new LogLogLink(), new CauchitLink(),
        new InverseLink(), new InverseSquaredLink(), new SqrtLink(), new PowerLink(1.5), new TanhLink(), new ReluLink(), new LeakyReluLink(),
        new SoftplusLink(), new ScaledIdentity(),
    ];

    /// <summary>A destination one element too short, for each span member of each link, on lengths below and above a vector.</summary>
    private static Gen<BadCall> LinkSpanCalls() =>
        from link in Gen.Elements(SpanLinks)
        from n in Gen.Choose(1, 40)
        from member in Gen.Choose(0, 19)
        select LinkSpanCall(link, n, member);

    internal static BadCall LinkSpanCall(ILinkFunction link, int n, int member)
    {
        string e = $"{link.Name} span member";
        double[] d = Enumerable.Range(0, n).Select(i => 0.25 + 0.5 * i / n).ToArray(), shortD = new double[n - 1], fullD = new double[n];
        float[] f = d.Select(v => (float)v).ToArray(), shortF = new float[n - 1], fullF = new float[n];
        return member switch
        {
            0 => Arg(e + " Link(double)", "eta", "one short", () => { link.Link(d, shortD); return null; }),
            1 => Arg(e + " Inverse(double)", "mu", "one short", () => { link.Inverse(d, shortD); return null; }),
            2 => Arg(e + " InverseDerivative(double)", "dMuDEta", "one short", () => { link.InverseDerivative(d, shortD); return null; }),
            3 => Arg(e + " Inverse(double, both)", "mu", "one short", () => { link.Inverse(d, shortD, fullD); return null; }),
            4 => Arg(e + " Inverse(double, both)", "dMuDEta", "one short", () => { link.Inverse(d, fullD, shortD); return null; }),
            5 => Arg(e + " Link(float)", "eta", "one short", () => { link.Link(f, shortF); return null; }),
            6 => Arg(e + " Inverse(float)", "mu", "one short", () => { link.Inverse(f, shortF); return null; }),
            7 => Arg(e + " InverseDerivative(float)", "dMuDEta", "one short", () => { link.InverseDerivative(f, shortF); return null; }),
            8 => Arg(e + " Inverse(float, both)", "mu", "one short", () => { link.Inverse(f, shortF, fullF); return null; }),
            9 => Arg(e + " Inverse(float, both)", "dMuDEta", "one short", () => { link.Inverse(f, fullF, shortF); return null; }),
            10 => Arg(e + " Link(double)", "eta", "empty", () => { link.Link(d, []); return null; }),
            11 => Arg(e + " Inverse(double)", "mu", "empty", () => { link.Inverse(d, []); return null; }),
            12 => Arg(e + " InverseDerivative(double)", "dMuDEta", "empty", () => { link.InverseDerivative(d, []); return null; }),
            13 => Arg(e + " Inverse(double, both)", "mu", "empty", () => { link.Inverse(d, [], fullD); return null; }),
            14 => Arg(e + " Inverse(double, both)", "dMuDEta", "empty", () => { link.Inverse(d, fullD, []); return null; }),
            15 => Arg(e + " Link(float)", "eta", "empty", () => { link.Link(f, []); return null; }),
            16 => Arg(e + " Inverse(float)", "mu", "empty", () => { link.Inverse(f, []); return null; }),
            17 => Arg(e + " InverseDerivative(float)", "dMuDEta", "empty", () => { link.InverseDerivative(f, []); return null; }),
            18 => Arg(e + " Inverse(float, both)", "mu", "empty", () => { link.Inverse(f, [], fullF); return null; }),
            _ => Arg(e + " Inverse(float, both)", "dMuDEta", "empty", () => { link.Inverse(f, fullF, []); return null; }),
        };
    }

    /// <summary>A user's link that implements only the scalar members: its span members are the interface's defaults.</summary>
    private readonly struct ScaledIdentity : ILinkFunction
    {
        public string Name => "2 mu";
        public bool IsAffine => true;
        public double MeanLowerBound => double.NegativeInfinity;
        public double MeanUpperBound => double.PositiveInfinity;
        public double Link(double mu) => 2 * mu;
        public double Inverse(double eta) => eta / 2;
        public double InverseDerivative(double eta) => 0.5;
        public double InverseSecondDerivative(double eta) => 0;
        public bool IsValidMean(double mu) => double.IsFinite(mu);
        public bool IsValidLinearPredictor(double eta) => double.IsFinite(eta);
    }

    /// <summary>Streamed and partitioned fits, their sources and serialised statistics, and the file sources of NNLinearity.Interop.</summary>
    private static Gen<BadCall> StreamingCalls() =>
        from f in Gen.Elements(Families)
        from n in Gen.Choose(3, 40)
        from seed in Gen.Choose(0, 10_000)
        from row in Gen.Choose(0, n - 1)
        from bad in Gen.Elements(NonFinite)
        from chunk in Gen.Choose(1, 12)
        from kind in Gen.Choose(0, 21)
        select StreamingCall(f.Family, f.OutOfSupport, n, seed, row, bad, chunk, kind);

    private static BadCall StreamingCall(GlmFamily family, double outOfSupport, int n, int seed, int row, double bad, int chunk, int kind)
    {
        (double[,] x2, double[] y) = Data(family, n, seed);
        double[] x = x2.Cast<double>().ToArray();
        double[] w = Enumerable.Repeat(1.0, n).ToArray(), off = new double[n];
        const string E = "Glm.FitStreaming";
        GlmFit Fit(double[]? weights = null, double[]? offset = null, GlmStreamingOptions? o = null) =>
            NNLinearity.Glm.Glm.FitStreaming(GlmChunkSource.FromArrays(x, 2, y, chunk, weights, offset), family, options: o);
        GlmFit FitParts(IGlmChunkSource second) =>
            NNLinearity.Glm.Glm.FitStreaming([GlmChunkSource.FromArrays(x, 2, y, chunk), second], family);
        string missingFile = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "nnl-none-" + seed.ToString(System.Globalization.CultureInfo.InvariantCulture) + ".parquet");
        switch (kind)
        {
            case 0: x[row * 2 + row % 2] = bad; return Arg(E, "source", $"x[{row}, {row % 2}] = {bad}", () => Fit());
            case 1: y[row] = bad; return Arg(E, "source", $"y[{row}] = {bad}", () => Fit());
            case 2: y[row] = outOfSupport; return Arg(E, "source", $"y[{row}] = {outOfSupport} outside the {family.Name} support", () => Fit());
            case 3: w[row] = -1; return Arg(E, "source", $"weights[{row}] = -1", () => Fit(weights: w));
            case 4: w[row] = bad; return Arg(E, "source", $"weights[{row}] = {bad}", () => Fit(weights: w));
            case 5: off[row] = bad; return Arg(E, "source", $"offset[{row}] = {bad}", () => Fit(offset: off));
            case 6: return Arg(E, "source", "every prior weight 0", () => Fit(weights: new double[n]));
            case 7: return Arg(E, "options", "MaxDegreeOfParallelism = 0", () => Fit(o: new GlmStreamingOptions { MaxDegreeOfParallelism = 0 }));
            case 8: return Arg(E, "options", $"Epsilon = {bad}", () => Fit(o: new GlmStreamingOptions { Epsilon = bad }));
            case 9: return Arg(E, "options", $"Start of {chunk + 3} values", () => Fit(o: new GlmStreamingOptions { Start = new double[chunk + 3] }));
            case 10: return Arg(E, "options", "MaxIterations = 0", () => Fit(o: new GlmStreamingOptions { MaxIterations = 0 }));
            case 11: y[row] = bad; return Arg(E + "(partitions)", "partitions", $"partition 1 y[{row}] = {bad}", () => FitParts(GlmChunkSource.FromArrays(x, 2, y, chunk)));
            case 12: return Arg(E + "(partitions)", "partitions", "a partition with 1 column", () => FitParts(GlmChunkSource.FromArrays(y, 1, y, chunk)));
            case 13: return Arg(E + "(partitions)", "partitions", "no partitions", () => NNLinearity.Glm.Glm.FitStreaming(Array.Empty<IGlmChunkSource>(), family));
            case 14: return new BadCall(E, "source", "null", typeof(ArgumentNullException), () => NNLinearity.Glm.Glm.FitStreaming((IGlmChunkSource)null!, family));
            case 15: return Arg("GlmChunkSource.FromArrays", "x", "one value short", () => GlmChunkSource.FromArrays(x[1..], 2, y, chunk));
            case 16: return Arg("GlmChunkSource.FromArrays", "weights", "one value short", () => GlmChunkSource.FromArrays(x, 2, y, chunk, w[1..]));
            case 17: return Arg("GlmChunkSource.FromArrays", "chunkRows", $"{-chunk + 1}", () => GlmChunkSource.FromArrays(x, 2, y, 1 - chunk));
            case 18: return new BadCall("GlmPassStatistics.FromBytes", "bytes", $"{chunk} bytes of noise", typeof(System.IO.InvalidDataException), () => GlmPassStatistics.FromBytes(Enumerable.Range(0, chunk).Select(i => (byte)(i * 37 + seed)).ToArray()));
            case 19: return Arg("Glm.FitStreaming(formula)", "options", "Intercept = false beside a formula", () => NNLinearity.Glm.Glm.FitStreaming("y ~ x", NNLinearity.Data.DataTableChunks.FromTable(new NNLinearity.Data.DataTable(NNLinearity.Data.DataColumn.Numeric("y", y), NNLinearity.Data.DataColumn.Numeric("x", y)), chunk), family, options: new GlmStreamingOptions { Intercept = false }));
            case 20: return Arg("GlmChunkSources.TablesFromParquet", "paths", "no files", () => NNLinearity.Interop.GlmChunkSources.TablesFromParquet([]));
            default: return new BadCall("GlmChunkSources.TablesFromCsv", "path", "a file that does not exist", typeof(System.IO.FileNotFoundException), () => NNLinearity.Interop.GlmChunkSources.TablesFromCsv(missingFile, chunk));
        }
    }

    private static BadCall Arg(string entry, string argument, string corruption, Func<object?> call) => new(entry, argument, corruption, typeof(ArgumentException), call);

    /// <summary>A small valid problem: X [n, 2], responses valid for the family.</summary>
    private static (double[,] X, double[] Y) Data(GlmFamily family, int n, int seed)
    {
        var rng = new Random(seed);
        var x = new double[n, 2];
        var y = new double[n];
        for (int i = 0; i < n; i++)
        {
            x[i, 0] = rng.NextDouble() * 2 - 1;
            x[i, 1] = rng.NextDouble();
            y[i] = family switch
            {
                BinomialFamily => rng.Next(2),
                PoissonFamily or NegativeBinomialFamily => rng.Next(6),
                GammaFamily or InverseGaussianFamily => 0.5 + rng.NextDouble() * 3,
                _ => rng.NextDouble() * 4 - 2,
            };
        }

        return (x, y);
    }

    private static readonly (GlmFamily Family, double OutOfSupport)[] Families =
    [
        (GlmFamily.Binomial, 2), (GlmFamily.Binomial, -0.5), (GlmFamily.Poisson, -1), (GlmFamily.Gamma, 0), (GlmFamily.Gamma, -3),
        (GlmFamily.InverseGaussian, 0), (GlmFamily.NegativeBinomial(2), -1),
    ];

    private static Gen<BadCall> GlmFitCalls() =>
        from f in Gen.Elements(Families)
        from n in Gen.Choose(3, 40)
        from seed in Gen.Choose(0, 10_000)
        from row in Gen.Choose(0, n - 1)
        from bad in Gen.Elements(NonFinite)
        from kind in Gen.Choose(0, 22)
        select GlmFitCall(f.Family, f.OutOfSupport, n, seed, row, bad, kind);

    private static BadCall GlmFitCall(GlmFamily family, double outOfSupport, int n, int seed, int row, double bad, int kind)
    {
        (double[,] x, double[] y) = Data(family, n, seed);
        const string E = "Glm.Fit";
        GlmFit Fit(GlmOptions? o = null, ILinkFunction? link = null) => NNLinearity.Glm.Glm.Fit(x, y, family, link, o);
        switch (kind)
        {
            case 0: x[row, row % 2] = bad; return Arg(E, "x", $"[{row}, {row % 2}] = {bad}", () => Fit());
            case 1: y[row] = bad; return Arg(E, "y", $"[{row}] = {bad}", () => Fit());
            case 2: y[row] = outOfSupport; return Arg(E, "y", $"[{row}] = {outOfSupport} outside the {family.Name} support", () => Fit());
            case 3: return Arg(E, "y", "one value short", () => NNLinearity.Glm.Glm.Fit(x, y[1..], family));
            case 4: return Arg(E, "x", "no rows", () => NNLinearity.Glm.Glm.Fit(new double[0, 2], Array.Empty<double>(), family));
            case 5: return Arg(E, "options", $"Weights[{row}] = -1", () => Fit(new GlmOptions { Weights = Enumerable.Range(0, n).Select(i => i == row ? -1.0 : 1.0).ToArray() }));
            case 6: return Arg(E, "options", $"Weights[{row}] = {bad}", () => Fit(new GlmOptions { Weights = Enumerable.Range(0, n).Select(i => i == row ? bad : 1.0).ToArray() }));
            case 7: return Arg(E, "options", "Weights one value short", () => Fit(new GlmOptions { Weights = new double[n - 1] }));
            case 8: return Arg(E, "options", $"Offset[{row}] = {bad}", () => Fit(new GlmOptions { Offset = Enumerable.Range(0, n).Select(i => i == row ? bad : 0.0).ToArray() }));
            case 9: return Arg(E, "options", "Offset one value too many", () => Fit(new GlmOptions { Offset = new double[n + 1] }));
            case 10: return Arg(E, "options", "Start of the wrong length", () => Fit(new GlmOptions { Start = [0.0] }));
            case 11: return Arg(E, "options", $"Start with {bad}", () => Fit(new GlmOptions { Start = [0.1, bad, 0.0] }));
            case 12: return Arg(E, "options", $"Epsilon = {bad}", () => Fit(new GlmOptions { Epsilon = bad }));
            case 13: return Arg(E, "options", $"Epsilon = {-row}", () => Fit(new GlmOptions { Epsilon = -row }));
            case 14: return Arg(E, "options", $"MaxIterations = {-row}", () => Fit(new GlmOptions { MaxIterations = -row }));
            case 15: return Arg(E, "options", $"Solver = {42 + row}", () => Fit(new GlmOptions { Solver = (GlmSolver)(42 + row) }));
            case 16: return Arg(E, "options", $"MaxDegreeOfParallelism = {-row - 2}", () => Fit(new GlmOptions { MaxDegreeOfParallelism = row % 2 == 0 ? 0 : -row - 2 }));
            case 17: return Arg(E, "options", "duplicate column names", () => Fit(new GlmOptions { ColumnNames = ["a", "a"] }));
            case 18: return Arg(E, "options", "a null column name", () => Fit(new GlmOptions { ColumnNames = ["a", null!] }));
            case 19: return Arg(E, "options", "an empty column name", () => Fit(new GlmOptions { ColumnNames = ["", "b"] }));
            case 20: return Arg(E, "options", "a column named (Intercept)", () => Fit(new GlmOptions { ColumnNames = ["(Intercept)", "b"] }));
            case 21: return Arg(E, "link", "not available for the family", () => Fit(link: family is BinomialFamily ? new InverseSquaredLink() : new TanhLink()));
            default: return new BadCall(E, "family", "null", typeof(ArgumentNullException), () => NNLinearity.Glm.Glm.Fit(x, y, null!));
        }
    }

    private static readonly Lazy<(GlmFit Fit, GlmFit Other, double[] X, double[] OtherX)> Fits = new(() =>
    {
        (double[,] x, double[] y) = Data(GlmFamily.Poisson, 30, 1);
        (double[,] x2, double[] y2) = Data(GlmFamily.Poisson, 30, 2);
        return (NNLinearity.Glm.Glm.Fit(x, y, GlmFamily.Poisson), NNLinearity.Glm.Glm.Fit(x2, y2, GlmFamily.Poisson), x.Cast<double>().ToArray(), x2.Cast<double>().ToArray());
    });

    private static Gen<BadCall> GlmResultCalls() =>
        from kind in Gen.Choose(0, 29)
        from bad in Gen.Elements(NonFinite)
        from rows in Gen.Choose(1, 5)
        select GlmResultCall(kind, bad, rows);

    private static BadCall GlmResultCall(int kind, double bad, int rows)
    {
        (GlmFit fit, GlmFit other, double[] fx, double[] otherX) = Fits.Value;
        var x = new double[rows, 2];
        double[] withBad = (double[])fx.Clone();
        withBad[rows * 3] = bad;
        string[] labels = Enumerable.Range(0, 30).Select(i => (i % 3).ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        switch (kind)
        {
            case 9: return Arg("GlmFit.RobustCovariance", "x", "one value short", () => fit.RobustCovariance(fx[1..]));
            case 10: return Arg("GlmFit.RobustCovariance", "x", $"[{rows * 3}] = {bad}", () => fit.RobustCovariance(withBad));
            case 11: return Arg("GlmFit.RobustCovariance", "x", "another data set's design", () => fit.RobustCovariance(otherX));
            case 12: return Arg("GlmFit.RobustCovariance", "type", $"{40 + rows}", () => fit.RobustCovariance(fx, (RobustCovarianceType)(40 + rows)));
            case 13: return Arg("GlmFit.ClusterRobustCovariance", "cluster", "one label short", () => fit.ClusterRobustCovariance(fx, labels[1..]));
            case 14: return Arg("GlmFit.ClusterRobustCovariance", "cluster", "one cluster", () => fit.ClusterRobustCovariance(fx, new string[30].Select(_ => "a").ToArray()));
            case 15: return Arg("GlmFit.ClusterRobustCovariance", "cluster", "a null label", () => fit.ClusterRobustCovariance(fx, labels.Select((l, i) => i == rows ? null! : l).ToArray()));
            case 16: return Arg("GlmFit.ClusterRobustCovariance", "type", "HC2", () => fit.ClusterRobustCovariance(fx, labels, RobustCovarianceType.HC2));
            case 17: return Arg("GlmFit.TestCoefficients", "covariance", $"{rows + 3} x {rows + 3}", () => fit.TestCoefficients(new double[rows + 3, rows + 3]));
            case 18: return Arg("GlmFit.TestCoefficients", "covariance", $"a variance of {bad}", () => fit.TestCoefficients(new double[3, 3] { { bad, 0, 0 }, { 0, 1, 0 }, { 0, 0, 1 } }));
            case 19: return Arg("GlmFit.Influence", "x", "one value too many", () => fit.Influence([.. fx, 1.0]));
            case 20: return Arg("GlmFit.WithDispersion", "dispersion", $"{(rows % 2 == 0 ? bad : -rows)}", () => fit.WithDispersion(rows % 2 == 0 ? bad : -rows));
            case 21: return Arg("GlmFit.WithCovariance", "covariance", $"{rows + 3} x {rows + 3}", () => fit.WithCovariance(new double[rows + 3, rows + 3]));
            case 22: return Arg("GlmFit.WithCovariance", "covariance", $"an entry of {bad}", () => fit.WithCovariance(new double[3, 3] { { 1, 0, 0 }, { 0, 1, bad }, { 0, bad, 1 } }));
            case 23: return Arg("GlmFit.TestLinearHypothesis", "contrasts", $"{rows + 3} columns", () => fit.TestLinearHypothesis(new double[1, rows + 3]));
            case 24: return Arg("GlmFit.TestLinearHypothesis", "rightHandSide", $"= {bad}", () => fit.TestLinearHypothesis(new double[,] { { 0, 1, 0 } }, [bad]));
            case 25: return Arg("GlmFit.TestLinearHypothesis", "x", "another data set's design", () => fit.TestLinearHypothesis(otherX, new double[,] { { 0, 1, 0 } }));
            case 26: return Arg("GlmFit.ProfileConfidenceIntervals", "level", $"{(rows % 2 == 0 ? bad : rows)}", () => fit.ProfileConfidenceIntervals(fx, rows % 2 == 0 ? bad : rows));
            case 27: return Arg("GlmFit.ProfileConfidenceIntervals", "x", $"[{rows * 3}] = {bad}", () => fit.ProfileConfidenceIntervals(withBad));
            case 28: return Arg("Glm.FitNegativeBinomial", "y", "a negative count", () => NNLinearity.Glm.Glm.FitNegativeBinomial(fx, 30, 2, Enumerable.Range(0, 30).Select(i => i == rows ? -1.0 : 2.0).ToArray()));
            case 29: return Arg("NetworkUncertainty.Compute", "x", "one value short", () => NNLinearity.Linearity.NetworkUncertainty.Compute<double>(NNLinearity.Linearity.GlmBridge.ToStackedGlm(fit), fx.AsSpan(1), new double[30], 30));
            case 0: x[rows - 1, 1] = bad; return Arg("GlmFit.Predict", "x", $"[{rows - 1}, 1] = {bad}", () => fit.Predict(x));
            case 1: return Arg("GlmFit.Predict", "x", "three columns", () => fit.Predict(new double[rows, 3]));
            case 2: return Arg("GlmFit.Predict", "offset", "one value short", () => fit.Predict(x, offset: new double[rows - 1]));
            case 3: return Arg("GlmFit.Predict", "offset", $"= {bad}", () => fit.Predict(x, offset: Enumerable.Repeat(bad, rows).ToArray()));
            case 4: return Arg("GlmFit.Predict", "scale", $"{40 + rows}", () => fit.Predict(x, (GlmPredictionScale)(40 + rows)));
            case 5: return Arg("GlmFit.ConfidenceIntervals", "level", $"{bad}", () => fit.ConfidenceIntervals(rows % 2 == 0 ? bad : rows));
            case 6: return Arg("GlmFit.Residuals", "type", $"{40 + rows}", () => fit.Residuals((GlmResidualType)(40 + rows)));
            case 7: return Arg("GlmAnova.Compare", "fits", "one fit", () => GlmAnova.Compare([fit]));
            case 8: return Arg("GlmAnova.Compare", "fits", "fits of other data", () => GlmAnova.Compare([fit, other]));
            default: return Arg("GlmAnova.Compare", "test", $"{40 + rows}", () => GlmAnova.Compare([fit, fit], (AnovaTest)(40 + rows)));
        }
    }

    private static Gen<BadCall> NetworkCalls() =>
        from kind in Gen.Choose(0, 24)
        from bad in Gen.Elements(NonFinite)
        from rows in Gen.Choose(1, 9)
        from seed in Gen.Choose(0, 1000)
        select NetworkCall(kind, bad, rows, seed);

    private static BadCall NetworkCall(int kind, double bad, int rows, int seed)
    {
        var model = StackedGlm.Create<float>(3, [new LayerSpec(5, new TanhLink()), new LayerSpec(2, new LogLink())], GlmFamily.Poisson, seed);
        var rng = new Random(seed);
        float[] x = Enumerable.Range(0, rows * 3).Select(_ => (float)rng.NextDouble()).ToArray();
        float[] y = Enumerable.Range(0, rows * 2).Select(_ => (float)rng.Next(4)).ToArray();
        float f = (float)bad;
        int at = rng.Next(rows * 3);
        switch (kind)
        {
            case 0: return Arg("StackedGlm.Create", "inputs", $"{-rows + 1}", () => StackedGlm.Create<float>(1 - rows, [new LayerSpec(1, new LogLink())], GlmFamily.Poisson));
            case 1: return Arg("StackedGlm.Create", "layers", $"a layer of {-rows + 1} units", () => StackedGlm.Create<float>(2, [new LayerSpec(1 - rows, new TanhLink()), new LayerSpec(1, new LogLink())], GlmFamily.Poisson));
            case 2: return Arg("StackedGlm.Create", "layers", "65536 x 65536 (4.3e9 parameters)", () => StackedGlm.Create<float>(65536, [new LayerSpec(65536, new IdentityLink())], GlmFamily.Gaussian));
            case 3: return Arg("StackedGlm.Create", "layers", "no layers", () => StackedGlm.Create<float>(2, [], GlmFamily.Poisson));
            case 4: return Arg("StackedGlm.Create", "family", "an output link the family refuses", () => StackedGlm.Create<float>(2, [new LayerSpec(1, new TanhLink())], GlmFamily.Poisson));
            case 5: return new BadCall("StackedGlm.Create", "family", "null", typeof(ArgumentNullException), () => StackedGlm.Create<float>(2, [new LayerSpec(1, new LogLink())], null!));
            case 6: return Arg("StackedGlm.CreateMultinomial", "classes", $"{rows % 2}", () => StackedGlm.CreateMultinomial<float>(2, [], rows % 2));
            case 7: x[at] = f; return Arg("StackedGlm.Predict", "x", $"[{at}] = {f}", () => model.Predict(x, rows));
            case 8: return Arg("StackedGlm.Predict", "x", "one value short", () => model.Predict(x.AsSpan(1).ToArray(), rows));
            case 9: return Arg("StackedGlm.Predict", "rows", $"{-rows}", () => model.Predict(x, -rows));
            case 10:
                var linear = StackedGlm.Create<float>(3, [new LayerSpec(1, new IdentityLink())], GlmFamily.Gaussian);
                linear.SetParameters([2f, 2f, 2f, 0f]);
                x.AsSpan().Fill(3e38f);
                return Arg("StackedGlm.Predict", "x", "3e38 everywhere (eta beyond float)", () => linear.Predict(x, rows));
            case 11: y[at % y.Length] = -1; return Arg("StackedGlm.Loss", "y", "a negative count", () => model.Loss(x, y, rows));
            case 12: y[at % y.Length] = f; return Arg("StackedGlm.Loss", "y", $"= {f}", () => model.Loss(x, y, rows));
            case 13: return Arg("StackedGlm.Loss", "y", "one value short", () => model.Loss(x, y.AsSpan(1).ToArray(), rows));
            case 14: x[at] = f; return Arg("StackedGlm.LossAndGradient", "x", $"[{at}] = {f}", () => model.LossAndGradient(x, y, rows, new float[model.ParameterCount]));
            case 15: return Arg("StackedGlm.LossAndGradient", "gradient", "too short", () => model.LossAndGradient(x, y, rows, new float[model.ParameterCount - 1]));
            case 16: return Arg("StackedGlm.LossAndGradient", "l2", $"{bad}", () => model.LossAndGradient(x, y, rows, new float[model.ParameterCount], rows % 2 == 0 ? bad : -rows));
            case 17: return Arg("StackedGlm.Fit", "rows", "no rows", () => model.Fit(Array.Empty<float>(), Array.Empty<float>(), 0));
            case 18: x[at] = f; return Arg("StackedGlm.Fit", "x", $"[{at}] = {f}", () => model.Fit(x, y, rows));
            case 19:
                TrainingOptions[] badOptions =
                [
                    new() { LearningRate = bad }, new() { LearningRate = -1 }, new() { Momentum = 1 }, new() { Beta1 = bad }, new() { Beta2 = -0.1 },
                    new() { AdamEpsilon = 0 }, new() { BatchSize = 0 }, new() { MaxEpochs = -rows }, new() { L2 = -1 }, new() { ValidationFraction = 1 },
                    new() { Patience = 0 }, new() { Tolerance = bad }, new() { GradientTolerance = -1 }, new() { LbfgsMemory = 0 }, new() { Threads = -rows },
                    new() { Optimizer = (Optimizer)(3 + rows) }, new() { DivergenceFactor = 0.5 },
                ];
                TrainingOptions o = badOptions[seed % badOptions.Length];
                return Arg("StackedGlm.Fit", "options", o.ToString(), () => model.Fit(x, y, rows, o));
            case 20: return Arg("StackedGlm.Fit", "options", "a validation split of one row", () => model.Fit(x.AsSpan(0, 3).ToArray(), y.AsSpan(0, 2).ToArray(), 1, new TrainingOptions { ValidationFraction = 0.5 }));
            case 21:
                float[] p = model.GetParameters();
                p[seed % p.Length] = f;
                return Arg("StackedGlm.SetParameters", "parameters", $"[{seed % p.Length}] = {f}", () =>
                {
                    model.SetParameters(p);
                    return null;
                });
            case 22: return Arg("StackedGlm.SetParameters", "parameters", "one value short", () =>
            {
                model.SetParameters(new float[model.ParameterCount - 1]);
                return null;
            });
            case 23: return Arg("StackedGlm.OneHot", "labels", $"class {rows + 2} of {rows}", () => StackedGlm.OneHot<float>([rows + 2], rows));
            default: return new BadCall("StackedGlm.Fit", "y", "null", typeof(ArgumentNullException), () => model.Fit(new float[rows, 3], (float[,])null!));
        }
    }

    private static Gen<BadCall> LayerCalls() =>
        from kind in Gen.Choose(0, 5)
        from bad in Gen.Elements(NonFinite)
        from rows in Gen.Choose(1, 7)
        select LayerCall(kind, bad, rows);

    private static BadCall LayerCall(int kind, double bad, int rows)
    {
        GlmLayer<double> layer = GlmLayer.Create<double>(3, 2, new LogitLink());
        switch (kind)
        {
            case 0: return Arg("GlmLayer.SetWeights", "weights", $"= {bad}", () =>
            {
                layer.SetWeights(Enumerable.Repeat(bad, 6).ToArray());
                return null;
            });
            case 1: return Arg("GlmLayer.SetBias", "bias", "three values for two units", () =>
            {
                layer.SetBias(new double[3]);
                return null;
            });
            case 2: return Arg("GlmLayer.Forward", "x", $"= {bad}", () =>
            {
                layer.Forward(Enumerable.Repeat(bad, rows * 3).ToArray(), rows, new double[rows * 2], new double[rows * 2]);
                return null;
            });
            case 3: return Arg("GlmLayer.Forward", "mu", "too short", () =>
            {
                layer.Forward(new double[rows * 3], rows, new double[rows * 2], new double[rows * 2 - 1]);
                return null;
            });
            case 4: return new BadCall("GlmLayer.Create", "outputs", $"{1 - rows}", typeof(ArgumentOutOfRangeException), () => GlmLayer.Create<double>(3, 1 - rows, new LogitLink()));
            default: return Arg("GlmLayer.Create", "inputs", "65536 x 65536", () => GlmLayer.Create<float>(65536, 65536, new LogitLink()));
        }
    }

    private static Gen<BadCall> BridgeAndAnalysisCalls() =>
        from kind in Gen.Choose(0, 19)
        from bad in Gen.Elements(NonFinite)
        from rows in Gen.Choose(2, 9)
        select BridgeOrAnalysisCall(kind, bad, rows);

    private static BadCall BridgeOrAnalysisCall(int kind, double bad, int rows)
    {
        var relu = StackedGlm.Create<double>(2, [new LayerSpec(3, new ReluLink()), new LayerSpec(1, new LogitLink())], GlmFamily.Binomial, seed: rows);
        var tanh = StackedGlm.Create<double>(2, [new LayerSpec(3, new TanhLink()), new LayerSpec(1, new LogitLink())], GlmFamily.Binomial, seed: rows);
        var x = new double[rows, 2];
        double[] y = Enumerable.Range(0, rows).Select(i => (double)(i % 2)).ToArray();
        switch (kind)
        {
            case 0: return Arg("GlmBridge.ToGlm", "model", "two layers", () => GlmBridge.ToGlm(relu, x, y));
            case 1: return Arg("GlmBridge.ToGlm", "x", "three columns", () => GlmBridge.ToGlm(StackedGlm.Create<double>(2, [new LayerSpec(1, new LogitLink())], GlmFamily.Binomial), new double[rows, 3], y));
            case 2: return Arg("GlmBridge.ToLayer", "fit", "intercept only", () => GlmBridge.ToLayer(NNLinearity.Glm.Glm.Fit(new double[rows, 0], y, GlmFamily.Binomial)));
            case 3: return new BadCall("Collapse.ToSingleLayer", "model", "a tanh hidden layer", typeof(InvalidOperationException), () => Collapse.ToSingleLayer(tanh));
            case 4:
                LinearityOptions[] badOptions = [new() { Tolerance = bad }, new() { Tolerance = 0 }, new() { Tolerance = -1e-10 }, new() { MaxRows = 0 }, new() { AdditivityTrials = -1 }, new() { ConcavityTrials = -rows },
                    new() { SpectrumRows = 0 }, new() { HessianProbes = 0 }, new() { BlockProbes = -1 }, new() { LanczosSteps = 1 }, new() { DenseParameterLimit = -1 }, new() { Method = (HessianMethod)7 }];
                LinearityOptions o = badOptions[rows % badOptions.Length];
                return Arg("LinearityAnalysis.Analyze", "options", o.ToString(), () => LinearityAnalysis.Analyze(relu, x, options: o));
            case 5: x[rows - 1, 0] = bad; return Arg("LinearityAnalysis.Analyze", "x", $"[{rows - 1}, 0] = {bad}", () => LinearityAnalysis.Analyze(relu, x));
            case 6: return Arg("LinearityAnalysis.Analyze", "y", "two columns", () => LinearityAnalysis.Analyze(relu, x, new double[rows, 2]));
            case 7: return Arg("LinearityAnalysis.Analyze", "y", "a response of 2 for a binomial output", () => LinearityAnalysis.Analyze(relu, x, Fill(rows, 2)));
            case 8: return Arg("LinearityAnalysis.Analyze", "x", "no rows", () => LinearityAnalysis.Analyze(relu, new double[0, 2]));
            case 9: return Arg("LinearityAnalysis.LocalGlmAt", "x", $"= {bad}", () => LinearityAnalysis.LocalGlmAt(relu, [0.5, bad]));
            case 10: return Arg("LinearityAnalysis.LocalGlmAt", "x", "three values", () => LinearityAnalysis.LocalGlmAt(relu, [0.5, 0.1, 0.2]));
            case 11: return new BadCall("LinearityAnalysis.LocalGlmAt", "model", "a tanh hidden layer", typeof(InvalidOperationException), () => LinearityAnalysis.LocalGlmAt(tanh, [0.5, 0.1]));
            case 12: return Arg("LinearityAnalysis.RegionAt", "x", $"= {bad}", () => LinearityAnalysis.RegionAt(relu, [bad, 0.1]));
            case 13: return Arg("LinearityAnalysis.RegionAt", "x", "one value", () => LinearityAnalysis.RegionAt(relu, [0.5]));
            case 14: return new BadCall("LinearityAnalysis.RegionAt", "model", "a tanh hidden layer", typeof(InvalidOperationException), () => LinearityAnalysis.RegionAt(tanh, [0.5, 0.1]));
            case 15: return Arg("LinearityAnalysis.Segment", "x1", $"= {bad}", () => LinearityAnalysis.Segment(relu, [0.5, 0.1], [0.2, bad]));
            case 16: return Arg("LinearityAnalysis.Segment", "x0", "three values", () => LinearityAnalysis.Segment(relu, [0.5, 0.1, 0.3], [0.2, 0.1]));
            case 17: x[0, 1] = bad; return Arg("LinearityAnalysis.CountRegions", "x", $"[0, 1] = {bad}", () => LinearityAnalysis.CountRegions(relu, x));
            case 18: return Arg("LinearityAnalysis.CountRegions", "x", "three columns", () => LinearityAnalysis.CountRegions(relu, new double[rows, 3]));
            default: return Arg("LinearityAnalysis.Analyze<float>", "x", "three columns", () => LinearityAnalysis.Analyze(StackedGlm.Create<float>(2, [new LayerSpec(3, new TanhLink()), new LayerSpec(1, new LogitLink())], GlmFamily.Binomial), new float[rows, 3]));
        }
    }

    private static Gen<BadCall> TableCalls() =>
        from kind in Gen.Choose(0, 17)
        from rows in Gen.Choose(2, 9)
        select TableCall(kind, rows);

    private static BadCall TableCall(int kind, int rows)
    {
        var table = new NNLinearity.Data.DataTable(
            NNLinearity.Data.DataColumn.Numeric("y", Enumerable.Range(0, rows).Select(i => (double)(i % 3)).ToArray()),
            NNLinearity.Data.DataColumn.Numeric("x", Enumerable.Range(0, rows).Select(i => i / 10.0).ToArray()),
            NNLinearity.Data.DataColumn.Text("g", Enumerable.Range(0, rows).Select(i => i % 2 == 0 ? "a" : "b").ToArray()));
        GlmFit matrixFit = Fits.Value.Fit;
        switch (kind)
        {
            case 0: return new BadCall("Formula.Parse", "formula", $"'y ~ x +{new string(' ', rows)}' (unfinished)", typeof(NNLinearity.Formulas.FormulaSyntaxException), () => NNLinearity.Formulas.Formula.Parse("y ~ x +" + new string(' ', rows)));
            case 1: return Arg("Glm.Fit(formula)", "data", "a column the table lacks", () => NNLinearity.Glm.Glm.Fit("y ~ z", table, GlmFamily.Poisson));
            case 2: return Arg("Glm.Fit(formula)", "formula", "an unknown function", () => NNLinearity.Glm.Glm.Fit("y ~ lgamma(x)", table, GlmFamily.Poisson));
            case 3: return Arg("Glm.Fit(formula)", "formula", "no response", () => NNLinearity.Glm.Glm.Fit("~ x", table, GlmFamily.Poisson));
            case 4: return Arg("Glm.Fit(formula)", "options", "Weights set beside a formula", () => NNLinearity.Glm.Glm.Fit("y ~ x", table, GlmFamily.Poisson, options: new GlmOptions { Weights = new double[rows] }));
            case 5: return Arg("Glm.Fit(formula)", "options", "a weights column that does not exist", () => NNLinearity.Glm.Glm.Fit("y ~ x", table, GlmFamily.Poisson, frame: new NNLinearity.Formulas.ModelFrameOptions { Weights = "w" }));
            case 6: return Arg("ModelDesign.Build", "options", $"MissingValues = {10 + rows}", () => NNLinearity.Formulas.ModelDesign.Build(NNLinearity.Formulas.Formula.Parse("y ~ x"), table, new NNLinearity.Formulas.ModelFrameOptions { MissingValues = (NNLinearity.Formulas.MissingValueAction)(10 + rows) }));
            case 7: return Arg("ModelDesign.Build", "options", "an undefined contrast", () => NNLinearity.Formulas.ModelDesign.Build(NNLinearity.Formulas.Formula.Parse("y ~ g"), table, new NNLinearity.Formulas.ModelFrameOptions { Contrasts = new System.Collections.Generic.Dictionary<string, NNLinearity.Formulas.ContrastKind> { ["g"] = (NNLinearity.Formulas.ContrastKind)(9 + rows) } }));
            case 8: return Arg("DataColumn.Numeric", "values", "an infinity", () => NNLinearity.Data.DataColumn.Numeric("v", [1.0, double.PositiveInfinity]));
            case 9: return Arg("DataColumn.Factor", "values", "a value outside the levels", () => NNLinearity.Data.DataColumn.Factor("f", ["a", "c"], ["a", "b"]));
            case 10: return Arg("DataColumn.Factor", "levels", "duplicate levels", () => NNLinearity.Data.DataColumn.Factor("f", ["a"], ["a", "a"]));
            case 11: return Arg("DataTable", "columns", "duplicate names", () => new NNLinearity.Data.DataTable(NNLinearity.Data.DataColumn.Numeric("a", [1.0]), NNLinearity.Data.DataColumn.Numeric("a", [2.0])));
            case 12: return Arg("DataTable", "columns", "unequal lengths", () => new NNLinearity.Data.DataTable(NNLinearity.Data.DataColumn.Numeric("a", new double[rows]), NNLinearity.Data.DataColumn.Numeric("b", new double[rows + 1])));
            case 13: return Arg("GlmAnova.Sequential", "fit", "a fit from a matrix", () => GlmAnova.Sequential(matrixFit));
            case 14: return Arg("TermDeletions.Compute", "fit", "a fit from a matrix", () => TermDeletions.Compute(matrixFit));
            case 15: return Arg("StackedGlm.Create(formula)", "formula", "no response", () => StackedGlm.Create<float>("~ x", table, [new LayerSpec(1, new LogLink())], GlmFamily.Poisson));
            case 16: return new BadCall("StackedGlm.Predict(table)", "model", "a model made from matrices", typeof(InvalidOperationException), () => StackedGlm.Create<float>(2, [new LayerSpec(1, new LogLink())], GlmFamily.Poisson).Predict(table));
            default: return Arg("CsvTables.Parse", "options", "a forced kind for a column that does not exist", () => NNLinearity.Interop.CsvTables.Parse("a,b\n1,2\n", new NNLinearity.Interop.CsvReadOptions { ColumnKinds = new System.Collections.Generic.Dictionary<string, NNLinearity.Data.ColumnKind> { ["z"] = NNLinearity.Data.ColumnKind.Numeric } }));
        }
    }

    private static Gen<BadCall> StatisticalNetworkCalls() =>
        from kind in Gen.Choose(0, 19)
        from rows in Gen.Choose(3, 9)
        from bad in Gen.Elements(NonFinite)
        select StatisticalNetworkCall(kind, rows, bad);

    private static BadCall StatisticalNetworkCall(int kind, int rows, double bad)
    {
        var model = StackedGlm.Create<double>(2, [new LayerSpec(1, new LogLink())], GlmFamily.Poisson, seed: rows);
        double[] x = Enumerable.Range(0, rows * 2).Select(i => i / 10.0).ToArray();
        double[] y = Enumerable.Range(0, rows).Select(i => (double)(i % 3)).ToArray();
        double[] ones = Enumerable.Repeat(1.0, rows).ToArray();
        var xm = new double[rows, 2];
        for (int i = 0; i < rows; i++) { xm[i, 0] = x[2 * i]; xm[i, 1] = x[2 * i + 1]; }
        GlmFit glm = NNLinearity.Glm.Glm.Fit(xm, y, GlmFamily.Poisson);
        switch (kind)
        {
            case 0: return Arg("StackedGlm.Fit(weights, offset)", "weights", "a negative weight", () => model.Fit(x, y, rows, ones.Select((v, i) => i == 1 ? -1.0 : v).ToArray(), default));
            case 1: return Arg("StackedGlm.Fit(weights, offset)", "weights", $"a weight of {bad}", () => model.Fit(x, y, rows, ones.Select((v, i) => i == 0 ? bad : v).ToArray(), default));
            case 2: return Arg("StackedGlm.Fit(weights, offset)", "weights", "one weight short", () => model.Fit(x, y, rows, ones.AsSpan(1), default));
            case 3: return Arg("StackedGlm.Fit(weights, offset)", "weights", "all weights 0", () => model.Fit(x, y, rows, new double[rows], default));
            case 4: return Arg("StackedGlm.Fit(weights, offset)", "offset", "one value short", () => model.Fit(x, y, rows, default, ones.AsSpan(1)));
            case 5: return Arg("StackedGlm.Loss(weights, offset)", "offset", $"an offset of {bad}", () => model.Loss(x, y, rows, default, ones.Select((v, i) => i == 2 ? bad : v).ToArray()));
            case 6: return Arg("StackedGlm.Predict(offset)", "offset", "two values per row", () => model.Predict(x, rows, new double[rows * 2]));
            case 7: return Arg("MultinomialGlm.Fit", "classes", $"class {rows} of 3", () => MultinomialGlm.Fit(xm, Enumerable.Range(0, rows).Select(i => i == 0 ? rows : i % 3).ToArray(), ["a", "b", "c"]));
            case 8: return Arg("MultinomialGlm.Fit", "classNames", "one class", () => MultinomialGlm.Fit(xm, new int[rows], ["a"]));
            case 9: xm[rows - 1, 1] = bad; return Arg("MultinomialGlm.Fit", "x", $"[{rows - 1}, 1] = {bad}", () => MultinomialGlm.Fit(xm, Enumerable.Range(0, rows).Select(i => i % 2).ToArray(), ["a", "b"]));
            case 10: return Arg("MultinomialGlm.Fit", "options", "a negative weight", () => MultinomialGlm.Fit(xm, Enumerable.Range(0, rows).Select(i => i % 2).ToArray(), ["a", "b"], new MultinomialOptions { Weights = ones.Select((v, i) => i == 0 ? -2.0 : v).ToArray() }));
            case 11: return Arg("MultinomialGlm.Fit(formula)", "formula", "a numeric response", () => MultinomialGlm.Fit("y ~ x", new NNLinearity.Data.DataTable(NNLinearity.Data.DataColumn.Numeric("y", y), NNLinearity.Data.DataColumn.Numeric("x", ones))));
            case 12: return Arg("NestedGlm.Create", "hidden", "no hidden layers", () => NestedGlm.Create<double>(glm, []));
            case 13: return Arg("NestedGlm.Create", "glm", "an intercept-only GLM", () => NestedGlm.Create<double>(NNLinearity.Glm.Glm.Fit(new double[rows, 0], y, GlmFamily.Poisson), [new LayerSpec(2, new TanhLink())]));
            case 14: return new BadCall("NestedGlm.Fit", "rounds", "0 rounds", typeof(ArgumentOutOfRangeException), () => NestedGlm.Create<double>(glm, [new LayerSpec(2, new TanhLink())]).Fit(xm, y, trainGlm: true, rounds: 0));
            case 15: return Arg("GlmBridge.ToGlms", "model", "two layers", () => GlmBridge.ToGlms(StackedGlm.Create<double>(2, [new LayerSpec(2, new TanhLink()), new LayerSpec(1, new LogLink())], GlmFamily.Poisson), xm, new double[rows, 1]));
            case 16: return Arg("GlmBridge.ToGlms", "y", "two columns for one output", () => GlmBridge.ToGlms(model, xm, new double[rows, 2]));
            case 17: return Arg("GlmBridge.RefitOutputLayer", "model", "a multinomial model", () => GlmBridge.RefitOutputLayer(StackedGlm.CreateMultinomial<double>(2, [], 3), xm, y));
            case 18: return Arg("GlmBridge.RefitOutputLayer", "x", "three columns", () => GlmBridge.RefitOutputLayer(model, new double[rows, 3], y));
            default: return Arg("GlmBridge.ToMultinomialGlm", "model", "a Poisson model", () => GlmBridge.ToMultinomialGlm(model, xm, new int[rows]));
        }
    }

    private static double[,] Fill(int rows, double value)
    {
        var a = new double[rows, 1];
        for (int i = 0; i < rows; i++) a[i, 0] = value;
        return a;
    }
}

/// <summary>A valid but extreme GLM problem: scales far from 1, separation, huge or tiny weights, near-collinear columns.</summary>
public sealed record ExtremeGlm(GlmFamily Family, double[,] X, double[] Y, double[] Weights, string What)
{
    public override string ToString() => $"{Family.Name}: {What}";
}

public static partial class BadInputArbitraries
{
    public static Arbitrary<ExtremeGlm> ExtremeGlms() =>
        (from f in Gen.Elements(GlmFamily.Gaussian, GlmFamily.Binomial, GlmFamily.Poisson, GlmFamily.Gamma)
         from n in Gen.Choose(3, 60)
         from seed in Gen.Choose(0, 100_000)
         from xScale in Gen.Elements(1e-150, 1e-30, 1.0, 1e30, 1e150)
         from yScale in Gen.Elements(1e-100, 1.0, 1e100)
         from wScale in Gen.Elements(1e-150, 1.0, 1e150)
         from kind in Gen.Choose(0, 3)
         select Extreme(f, n, seed, xScale, yScale, wScale, kind)).ToArbitrary();

    private static ExtremeGlm Extreme(GlmFamily family, int n, int seed, double xScale, double yScale, double wScale, int kind)
    {
        (double[,] x, double[] y) = Data(family, n, seed);
        var rng = new Random(seed);
        for (int i = 0; i < n; i++)
        {
            x[i, 0] *= xScale;
            if (kind == 1) x[i, 1] = x[i, 0] * 3 + 1e-12 * rng.NextDouble(); // nearly collinear
            if (kind == 2 && family is BinomialFamily) y[i] = x[i, 0] > 0 ? 1 : 0; // separated
            if (family is GaussianFamily or GammaFamily) y[i] *= yScale;
            if (family is PoissonFamily && yScale > 1) y[i] = Math.Round(y[i] * 1e15);
        }

        double[] w = Enumerable.Range(0, n).Select(i => kind == 3 ? wScale * (1 + rng.NextDouble()) : 1.0).ToArray();
        return new ExtremeGlm(family, x, y, w, $"{n} rows, x scale {xScale}, y scale {yScale}, weights {(kind == 3 ? wScale : 1)}, kind {kind}");
    }
}
