using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using NNLinearity.Families;
using NNLinearity.Layers;
using NNLinearity.Linearity;
using NNLinearity.Links;
using NNLinearity.Tests.Generators;
using Xunit;
using Xunit.Sdk;

namespace NNLinearity.Tests.Linearity;

/// <summary>
/// The analysis at scale: the batched calculus against per-row differentiation and finite differences, the matrix-free
/// spectra against the dense ones, the laws at every size, and the regions of piecewise-linear networks.
/// </summary>
public class LinearityScaleTests
{
    private static double[,] To2D(double[] values, int rows, int cols) => LinearityLawTests.To2D(values, rows, cols);

    private static double[] Gaussian(int n, Random rng) => Enumerable.Range(0, n).Select(_ => MathNet.Numerics.Distributions.Normal.Sample(rng, 0, 1)).ToArray();

    /// <summary>The batched gradient and Hessian-vector product of sum S eta equal the per-row calculus summed, and the Hessian-vector product equals central differences of the gradient.</summary>
    [Law]
    public bool BatchCalculus_EqualsPerRowCalculus_AndFiniteDifferences(NetworkCase c)
    {
        StackedGlm<double> model = c.Model<double>();
        double[] theta = model.GetParameters();
        int p = theta.Length, k = model.OutputCount;
        var rng = new Random(c.Seed);
        double[] seed = Gaussian(c.Rows * k, rng), v = Gaussian(p, rng);
        var batch = BatchCalculus.Of(model, c.X, c.Rows, theta);
        var grad = new double[p];
        var hv = new double[p];
        batch.Backward(seed, grad);
        batch.HessianVector(v, hv);

        var single = new ParameterCalculus(model, theta);
        var g1 = new double[p];
        var h1 = new double[p];
        var gSum = new double[p];
        var hSum = new double[p];
        for (int r = 0; r < c.Rows; r++)
        {
            double[] x = c.X.AsSpan(r * c.Inputs, c.Inputs).ToArray();
            for (int o = 0; o < k; o++)
            {
                single.Forward(x);
                single.Gradient(x, o, g1);
                single.HessianVector(x, o, v, h1);
                for (int i = 0; i < p; i++)
                {
                    gSum[i] += seed[r * k + o] * g1[i];
                    hSum[i] += seed[r * k + o] * h1[i];
                }
            }
        }

        double gScale = gSum.Max(Math.Abs) + 1, hScale = hSum.Max(Math.Abs) + 1;
        for (int i = 0; i < p; i++)
        {
            if (!(Math.Abs(grad[i] - gSum[i]) <= 1e-11 * gScale)) throw new XunitException($"gradient[{i}]: batch {grad[i]:R}, per row {gSum[i]:R} ({c})");
            if (!(Math.Abs(hv[i] - hSum[i]) <= 1e-11 * hScale)) throw new XunitException($"Hv[{i}]: batch {hv[i]:R}, per row {hSum[i]:R} ({c})");
        }

        // Central differences of the gradient along v (step 1e-5 relative: error ~ h^2 |third derivative| + eps / h).
        bool smooth = c.Hidden.All(h => h.Link is not (ReluLink or LeakyReluLink));
        if (!smooth) return true;
        double step = 1e-5;
        var plus = new double[p];
        var minus = new double[p];
        batch.SetParameters(theta.Select((t, i) => t + step * v[i]).ToArray());
        batch.Backward(seed, plus);
        batch.SetParameters(theta.Select((t, i) => t - step * v[i]).ToArray());
        batch.Backward(seed, minus);
        for (int i = 0; i < p; i++)
        {
            double fd = (plus[i] - minus[i]) / (2 * step);
            if (!(Math.Abs(fd - hv[i]) <= 1e-5 * (hScale + gScale * v.Max(Math.Abs)))) throw new XunitException($"Hv[{i}]: {hv[i]:R}, finite differences {fd:R} ({c})");
        }

        return true;
    }

    /// <summary>The loss Hessian-vector product (seed = loss gradient, curvature C) equals J^T C J v + sum_o g_o H_o v row by row.</summary>
    [Law]
    public bool BatchCalculus_LossHessian_EqualsGaussNewtonPlusCurvature(NetworkCase c)
    {
        StackedGlm<double> model = c.Model<double>();
        double[] theta = model.GetParameters();
        int p = theta.Length, k = model.OutputCount, m = c.Rows;
        var batch = BatchCalculus.Of(model, c.X, m, theta);
        double[] eta = batch.Forward().ToArray();
        var seed = new double[m * k];
        var curv = new double[m * k * k];
        for (int r = 0; r < m; r++) model.OutputLoss.RowDerivatives(eta.AsSpan(r * k, k), c.Y.AsSpan(r * k, k), 1.0, seed.AsSpan(r * k, k), curv.AsSpan(r * k * k, k * k));
        if (!seed.Concat(curv).All(double.IsFinite)) return true;
        double[] v = Gaussian(p, new Random(c.Seed + 3));
        var hv = new double[p];
        batch.Backward(seed, default);
        batch.HessianVector(v, hv, curv);

        var single = new ParameterCalculus(model, theta);
        var expected = new double[p];
        var jac = Enumerable.Range(0, k).Select(_ => new double[p]).ToArray();
        var h1 = new double[p];
        for (int r = 0; r < m; r++)
        {
            double[] x = c.X.AsSpan(r * c.Inputs, c.Inputs).ToArray();
            single.Forward(x);
            for (int o = 0; o < k; o++) single.Gradient(x, o, jac[o]);
            double[] jv = jac.Select(j => j.Zip(v, (a, b) => a * b).Sum()).ToArray();
            for (int o1 = 0; o1 < k; o1++)
            {
                double cj = 0;
                for (int o2 = 0; o2 < k; o2++) cj += curv[(r * k + o1) * k + o2] * jv[o2];
                for (int i = 0; i < p; i++) expected[i] += jac[o1][i] * cj;
            }

            for (int o = 0; o < k; o++)
            {
                single.Forward(x);
                single.Gradient(x, o, jac[o]);
                single.HessianVector(x, o, v, h1);
                for (int i = 0; i < p; i++) expected[i] += seed[r * k + o] * h1[i];
            }
        }

        double scale = expected.Max(Math.Abs) + 1;
        for (int i = 0; i < p; i++)
        {
            if (!(Math.Abs(hv[i] - expected[i]) <= 1e-10 * scale)) throw new XunitException($"loss Hv[{i}]: batch {hv[i]:R}, expected {expected[i]:R} ({c})");
        }

        return true;
    }

    /// <summary>On small networks the matrix-free analysis gives the dense one's verdict, rank, norms, blocks and log-likelihood extremes.</summary>
    [Law]
    public bool MatrixFree_AgreesWithDense(NetworkCase c)
    {
        StackedGlm<double> model = c.Model<double>();
        double[,] x = To2D(c.X, c.Rows, c.Inputs), y = To2D(c.Y, c.Rows, c.Output.Units);
        int p = model.ParameterCount;
        var common = new LinearityOptions { AdditivityTrials = 0, ConcavityTrials = 0, Seed = c.Seed, SpectrumRows = 3, HessianProbes = p + 1, BlockProbes = p, LanczosSteps = p + 1 };
        LinearityReport dense = LinearityAnalysis.Analyze(model, x, y, common with { Method = HessianMethod.Dense });
        LinearityReport free = LinearityAnalysis.Analyze(model, x, y, common with { Method = HessianMethod.MatrixFree });
        string Both() => $"dense:\n{dense}\nmatrix-free:\n{free}\n({c})";
        if (dense.Method != HessianMethod.Dense || free.Method != HessianMethod.MatrixFree) throw new XunitException("method not applied");
        if (dense.EtaHessianIsZero != free.EtaHessianIsZero) throw new XunitException("zero verdicts differ: " + Both());
        bool ranksComparable = !dense.EtaHessianRankIsIllDetermined && !free.EtaHessianRankIsIllDetermined;
        if ((ranksComparable && dense.EtaHessianRank != free.EtaHessianRank) || free.EtaHessianRankIsLowerBound) throw new XunitException("ranks differ: " + Both());
        Reference.Tolerance.Equal(dense.EtaHessianNorm, free.EtaHessianNorm, 1e-8, 1e-12, "Frobenius norm");
        if (!dense.InteractingBlocks.SequenceEqual(free.InteractingBlocks)) throw new XunitException("blocks differ: " + Both());
        foreach ((BlockInteraction a, BlockInteraction b) in dense.BlockInteractions.Zip(free.BlockInteractions))
        {
            // A rank without a clear gap at the threshold depends on rounding (a case with the sketch's eighth singular
            // value at 7.5e-14 of the largest and the dense block's at 7.3e-15, either side of numpy's 1.4e-14): each
            // analysis must then say so, and the ranks are compared where both are well determined.
            bool comparable = !a.RankIsIllDetermined && !b.RankIsIllDetermined;
            if ((comparable && a.Rank != b.Rank) || b.NormIsEstimate) throw new XunitException($"block {a.First} x {a.Second}: rank {a.Rank} vs {b.Rank}: " + Both());
            Reference.Tolerance.Equal(a.Norm, b.Norm, 1e-8, 1e-12, $"block {a.First} x {a.Second} norm");
        }

        if (dense.LogLikelihoodMaxEigenvalue is double dmax && free.LogLikelihoodMaxEigenvalue is double fmax && !double.IsNaN(dmax))
        {
            double scale = Math.Max(Math.Abs(dmax), Math.Abs(dense.LogLikelihoodMinEigenvalue!.Value));
            if (!(Math.Abs(dmax - fmax) <= 1e-7 * scale && Math.Abs(dense.LogLikelihoodMinEigenvalue.Value - free.LogLikelihoodMinEigenvalue!.Value) <= 1e-7 * scale))
            {
                throw new XunitException("log-likelihood extremes differ: " + Both());
            }
        }

        return true;
    }

    /// <summary>With fewer probes than the rank, the matrix-free rank is the number of probes, flagged as a lower bound; with more, it is the dense rank.</summary>
    [Law]
    public bool MatrixFree_Rank_IsExactBelowTheProbes_ALowerBoundAbove(DeepCase d, FsCheck.PositiveInt probeSeed)
    {
        NetworkCase c = d.Case;
        StackedGlm<double> model = c.Model<double>();
        double[,] x = To2D(c.X, c.Rows, c.Inputs);
        int probes = 1 + probeSeed.Get % 6;
        var common = new LinearityOptions { AdditivityTrials = 0, ConcavityTrials = 0, Seed = c.Seed, SpectrumRows = 1, HessianProbes = probes, BlockProbes = 4 };
        LinearityReport dense = LinearityAnalysis.Analyze(model, x, options: common with { Method = HessianMethod.Dense });
        LinearityReport free = LinearityAnalysis.Analyze(model, x, options: common with { Method = HessianMethod.MatrixFree });
        int expected = Math.Min(dense.EtaHessianRank, probes);
        if (dense.EtaHessianRankIsIllDetermined || free.EtaHessianRankIsIllDetermined) return true; // rounding decides the rank
        if (free.EtaHessianRank != expected || free.EtaHessianRankIsLowerBound != (dense.EtaHessianRank >= probes && probes < model.ParameterCount))
        {
            throw new XunitException($"dense rank {dense.EtaHessianRank}, {probes} probes: matrix-free {free.EtaHessianRank} (lower bound {free.EtaHessianRankIsLowerBound}) ({c})");
        }

        return true;
    }

    /// <summary>
    /// A case the law above once found: with 3 probes and a Hessian of rank 2, the range finder kept a third direction
    /// that carried only the rounding of H v, and the rank (2, below the probes, so exact) was flagged a lower bound.
    /// </summary>
    [Fact]
    public void MatrixFree_Rank_BelowTheProbes_IsExact_WhenAProbeAddsOnlyRounding()
    {
        NetworkCase c = new NetworkCase(4, [new LayerSpec(2, new ReluLink())], new OutputSpec(GlmFamily.InverseGaussian, new LogLink(), 1), 8, 753919).Simulate();
        StackedGlm<double> model = c.Model<double>();
        var options = new LinearityOptions { AdditivityTrials = 0, ConcavityTrials = 0, Seed = c.Seed, SpectrumRows = 1, HessianProbes = 3, BlockProbes = 4 };
        LinearityReport dense = LinearityAnalysis.Analyze(model, To2D(c.X, c.Rows, c.Inputs), options: options with { Method = HessianMethod.Dense });
        LinearityReport free = LinearityAnalysis.Analyze(model, To2D(c.X, c.Rows, c.Inputs), options: options with { Method = HessianMethod.MatrixFree });
        Assert.Equal(2, dense.EtaHessianRank);
        Assert.Equal(2, free.EtaHessianRank);
        Assert.False(free.EtaHessianRankIsLowerBound);
    }

    /// <summary>One layer is reported linear in its parameters at every size, matrix-free too.</summary>
    [Law]
    public bool OneLayer_IsLinear_AtEverySize(OneLayerCase o, FsCheck.PositiveInt widthSeed)
    {
        NetworkCase small = o.Case;
        int inputs = 1 + widthSeed.Get % 300;
        var c = new NetworkCase(inputs, [], small.Output, small.Rows, small.Seed).Simulate();
        StackedGlm<double> model = c.Model<double>();
        LinearityReport report = LinearityAnalysis.Analyze(model, To2D(c.X, c.Rows, c.Inputs), options: new LinearityOptions { AdditivityTrials = 5, Seed = c.Seed, Method = HessianMethod.MatrixFree, HessianProbes = 8 });
        if (!report.IsLinearInParameters || report.EtaHessianNorm != 0 || report.EtaHessianRelativeNorm != 0) throw new XunitException($"{report} ({c})");
        return true;
    }

    /// <summary>A tanh network of any depth greater than one is reported not linear, dense or matrix-free.</summary>
    [Law]
    public bool Tanh_Depth_IsNotLinear(DeepCase d, bool matrixFree)
    {
        NetworkCase c = d.Case;
        var tanh = new NetworkCase(c.Inputs, c.Hidden.Select(h => new LayerSpec(h.Units, new TanhLink())).ToArray(), c.Output, c.Rows, c.Seed).Simulate();
        StackedGlm<double> model = tanh.Model<double>();
        LinearityReport report = LinearityAnalysis.Analyze(model, To2D(tanh.X, tanh.Rows, tanh.Inputs), options: new LinearityOptions
        {
            AdditivityTrials = 10, Seed = c.Seed, Method = matrixFree ? HessianMethod.MatrixFree : HessianMethod.Dense, HessianProbes = 6, BlockProbes = 3,
        });
        if (report.IsLinearInParameters || report.EtaHessianIsZero || report.EtaHessianRank < 1 || !(report.EtaHessianRelativeNorm > 1e-6)) throw new XunitException($"{report} ({tanh})");
        if (!report.InteractingBlocks.Any(b => b.Contains("W1", StringComparison.Ordinal) && b.Contains("W2", StringComparison.Ordinal))) throw new XunitException($"no W1 x W2 interaction: {report}");
        return true;
    }

    /// <summary>
    /// A piecewise-linear network equals its local GLM inside the reported region (at random points within the distance
    /// to the boundary, and up to the distance along a random direction), and the region's inequalities hold there.
    /// </summary>
    [Law]
    public bool Region_LocalGlmIsExactInside(DeepPiecewiseCase pc)
    {
        NetworkCase c = pc.Case;
        StackedGlm<double> model = c.Model<double>();
        double[] x0 = c.X.Take(c.Inputs).ToArray();
        ActivationRegion region = LinearityAnalysis.RegionAt(model, x0);
        if (!region.Contains(x0, 1e-12)) throw new XunitException($"the region does not hold its point ({c})");
        var rng = new Random(c.Seed);
        double radius = region.DistanceToBoundary();
        for (int trial = 0; trial < 10; trial++)
        {
            double[] dir = Gaussian(c.Inputs, rng);
            double len = Math.Sqrt(dir.Sum(v => v * v));
            double along = region.DistanceAlong(dir);
            double ball = double.IsFinite(radius) ? radius / len : 1.0;
            foreach (double t in new[] { 0.999 * ball * rng.NextDouble(), double.IsFinite(along) ? 0.999 * along : 3.0 })
            {
                double[] x = x0.Select((v, i) => v + t * dir[i]).ToArray();
                double[] net = NaiveEta(model, x), local = region.LocalGlm.Eta(x);
                for (int o = 0; o < net.Length; o++)
                {
                    if (!(Math.Abs(net[o] - local[o]) <= 1e-12 * (1 + Math.Abs(net[o]) + Scale(model, x)))) throw new XunitException($"inside at t = {t}: network {net[o]:R}, local GLM {local[o]:R} ({c})");
                }

                if (!region.Contains(x, 1e-9)) throw new XunitException($"t = {t} within the distances but outside the region ({c})");
            }
        }

        return true;
    }

    /// <summary>With one kinked hidden layer, just past the nearest boundary along a direction the network leaves the local GLM (its crossing unit has a non-zero output weight).</summary>
    [Law]
    public bool Region_DiffersAcrossBoundary(PiecewiseCase pc)
    {
        NetworkCase c = pc.Case;
        StackedGlm<double> model = c.Model<double>();
        double[] x0 = c.X.Take(c.Inputs).ToArray();
        ActivationRegion region = LinearityAnalysis.RegionAt(model, x0);
        double[] dir = Gaussian(c.Inputs, new Random(c.Seed));
        double t = region.DistanceAlong(dir);
        if (!double.IsFinite(t) || t == 0) return true; // the direction never meets a kink
        double[] past = x0.Select((v, i) => v + 2 * t * dir[i]).ToArray();
        if (region.Contains(past)) throw new XunitException($"twice the distance along is still inside ({c})");
        SegmentPath path = LinearityAnalysis.Segment(model, x0, past);
        if (path.Kinks.Count == 0 || !(Math.Abs(path.Kinks[0].T - 0.5) <= 1e-9)) throw new XunitException($"first kink at {(path.Kinks.Count > 0 ? path.Kinks[0].T : double.NaN)}, expected 0.5 ({c})");
        double[] net = NaiveEta(model, past), local = region.LocalGlm.Eta(past);
        double gap = net.Zip(local, (a, b) => Math.Abs(a - b)).Max();
        return gap > 1e-9 * (1 + net.Max(Math.Abs));
    }

    /// <summary>A segment's pieces cover [0, 1] in order and reproduce the network's eta on every piece to 1e-12.</summary>
    [Law]
    public bool Segment_PiecesReproduceTheNetwork(DeepPiecewiseCase pc)
    {
        NetworkCase c = pc.Case;
        StackedGlm<double> model = c.Model<double>();
        var rng = new Random(c.Seed + 7);
        double[] x0 = Gaussian(c.Inputs, rng).Select(v => 3 * v).ToArray(), x1 = Gaussian(c.Inputs, rng).Select(v => 3 * v).ToArray();
        SegmentPath path = LinearityAnalysis.Segment(model, x0, x1);
        if (path.Pieces[0].Start != 0 || path.Pieces[^1].End != 1) throw new XunitException($"pieces do not cover [0, 1] ({c})");
        if (path.Kinks.Count < path.Pieces.Count - 1) throw new XunitException($"{path.Pieces.Count} pieces but {path.Kinks.Count} kinks ({c})");
        for (int i = 1; i < path.Pieces.Count; i++)
        {
            if (path.Pieces[i].Start != path.Pieces[i - 1].End || !(path.Pieces[i].Start < path.Pieces[i].End)) throw new XunitException($"pieces {i - 1}, {i} not contiguous ({c})");
        }

        foreach (SegmentPiece piece in path.Pieces)
        {
            foreach (double u in new[] { 0.0, 0.5, 1.0, rng.NextDouble() })
            {
                double t = piece.Start + u * (piece.End - piece.Start);
                double[] x = path.PointAt(t), net = NaiveEta(model, x), local = piece.LocalGlm.Eta(x);
                for (int o = 0; o < net.Length; o++)
                {
                    if (!(Math.Abs(net[o] - local[o]) <= 1e-12 * (1 + Math.Abs(net[o]) + Scale(model, x)))) throw new XunitException($"t = {t}: network {net[o]:R}, piece {local[o]:R} ({c})");
                }

                if (u == 0.5 && SegmentPath.Key(LinearityAnalysis.LocalGlmAt(model, x).ActivationPattern) != SegmentPath.Key(piece.ActivationPattern))
                {
                    throw new XunitException($"pattern at the middle of [{piece.Start}, {piece.End}] is not the piece's ({c})");
                }
            }
        }

        return true;
    }

    /// <summary>The census counts the distinct patterns of the rows' local GLMs.</summary>
    [Law]
    public bool CountRegions_CountsDistinctPatterns(DeepPiecewiseCase pc)
    {
        NetworkCase c = pc.Case;
        StackedGlm<double> model = c.Model<double>();
        RegionCensus census = LinearityAnalysis.CountRegions(model, To2D(c.X, c.Rows, c.Inputs));
        var keys = Enumerable.Range(0, c.Rows).Select(r => SegmentPath.Key(LinearityAnalysis.LocalGlmAt(model, c.X.AsSpan(r * c.Inputs, c.Inputs)).ActivationPattern)).ToList();
        return census.Rows == c.Rows && census.DistinctRegions == keys.Distinct().Count() && census.LargestRegionRows == keys.GroupBy(k => k).Max(g => g.Count());
    }

    /// <summary>A float network is analysed in double from its parameters: the report equals that of the double network with the same values.</summary>
    [Fact]
    public void FloatNetwork_AnalysedAsItsDoubleTwin()
    {
        var f = StackedGlm.Create<float>(5, [new LayerSpec(6, new TanhLink()), new LayerSpec(1, new LogitLink())], GlmFamily.Binomial, seed: 4);
        var d = StackedGlm.Create<double>(5, [new LayerSpec(6, new TanhLink()), new LayerSpec(1, new LogitLink())], GlmFamily.Binomial, seed: 4);
        d.SetParameters(f.GetParameters().Select(v => (double)v).ToArray());
        var rng = new Random(2);
        var xf = new float[30, 5];
        var yf = new float[30, 1];
        for (int i = 0; i < 30; i++)
        {
            for (int j = 0; j < 5; j++) xf[i, j] = (float)MathNet.Numerics.Distributions.Normal.Sample(rng, 0, 1);
            yf[i, 0] = rng.Next(2);
        }

        double[,] xd = new double[30, 5], yd = new double[30, 1];
        for (int i = 0; i < 30; i++)
        {
            for (int j = 0; j < 5; j++) xd[i, j] = xf[i, j];
            yd[i, 0] = yf[i, 0];
        }

        var options = new LinearityOptions { AdditivityTrials = 10, ConcavityTrials = 3, Seed = 5 };
        LinearityReport rf = LinearityAnalysis.Analyze(f, xf, yf, options), rd = LinearityAnalysis.Analyze(d, xd, yd, options);
        Assert.False(rf.IsLinearInParameters);
        Assert.Equal(rd.ToString().Replace("Double", "Single", StringComparison.Ordinal), rf.ToString().Replace("Double", "Single", StringComparison.Ordinal));
    }

    /// <summary>More rows than MaxRows: a seeded sample, reported, the same for the same seed.</summary>
    [Fact]
    public void Rows_AreASeededSample_Reported()
    {
        var model = StackedGlm.Create<double>(2, [new LayerSpec(3, new TanhLink()), new LayerSpec(1, new IdentityLink())], GlmFamily.Gaussian, seed: 1);
        var x = new double[500, 2];
        var rng = new Random(3);
        for (int i = 0; i < 500; i++) for (int j = 0; j < 2; j++) x[i, j] = rng.NextDouble();
        var o = new LinearityOptions { MaxRows = 40, AdditivityTrials = 2, Seed = 9 };
        LinearityReport a = LinearityAnalysis.Analyze(model, x, options: o), b = LinearityAnalysis.Analyze(model, x, options: o), other = LinearityAnalysis.Analyze(model, x, options: o with { Seed = 10 });
        Assert.Equal(40, a.RowsAnalysed);
        Assert.Equal(500, a.RowsGiven);
        Assert.Equal(40, a.RowIndices.Distinct().Count());
        Assert.True(a.RowIndices.SequenceEqual(a.RowIndices.Order()));
        Assert.True(a.RowIndices.All(i => i is >= 0 and < 500));
        Assert.Equal(a.RowIndices, b.RowIndices);
        Assert.NotEqual(a.RowIndices, other.RowIndices);
        Assert.Contains("Analysed at 40 rows of 500 (a seeded sample)", a.ToString(), StringComparison.Ordinal);
    }

    /// <summary>Progress names every stage; a cancelled token stops the analysis with OperationCanceledException.</summary>
    [Fact]
    public void Progress_And_Cancellation()
    {
        var model = StackedGlm.Create<double>(3, [new LayerSpec(4, new TanhLink()), new LayerSpec(1, new LogitLink())], GlmFamily.Binomial, seed: 1);
        var x = new double[20, 3];
        var y = new double[20, 1];
        for (int i = 0; i < 20; i++)
        {
            for (int j = 0; j < 3; j++) x[i, j] = Math.Sin(i + 3 * j);
            y[i, 0] = i % 2;
        }

        var stages = new List<LinearityProgress>();
        var progress = new SynchronousProgress(stages.Add);
        LinearityAnalysis.Analyze(model, x, y, new LinearityOptions { AdditivityTrials = 20, ConcavityTrials = 2, Progress = progress });
        Assert.Equal(["eta Hessian", "additivity", "log-likelihood", "concavity search"], stages.Select(s => s.Stage).Distinct().ToArray());
        Assert.Contains(stages, s => s.Stage == "concavity search" && s.Completed == s.Total);

        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => LinearityAnalysis.Analyze(model, x, y, new LinearityOptions { CancellationToken = cts.Token }));
    }

    /// <summary>
    /// One model analysed and traced from many threads at once gives the sequential answers (reports, regions, segments),
    /// and one segment's lazily built local GLMs are one object per piece whichever thread asks first.
    /// </summary>
    [Fact]
    public void SharedModel_ManyThreads_GiveTheSequentialAnswers()
    {
        var model = StackedGlm.Create<double>(3, [new LayerSpec(8, new ReluLink()), new LayerSpec(6, new LeakyReluLink(0.1)), new LayerSpec(1, new LogitLink())], GlmFamily.Binomial, seed: 3);
        var rng = new Random(5);
        var x = new double[40, 3];
        var y = new double[40, 1];
        for (int i = 0; i < 40; i++)
        {
            for (int j = 0; j < 3; j++) x[i, j] = 2 * rng.NextDouble() - 1;
            y[i, 0] = i % 2;
        }

        var options = new LinearityOptions { AdditivityTrials = 5, ConcavityTrials = 2, Seed = 1 };
        string report = LinearityAnalysis.Analyze(model, x, y, options).ToString();
        double[] a = [1, -1, 0.5], b = [-1, 1, -0.5];
        SegmentPath sequential = LinearityAnalysis.Segment(model, a, b);
        string Describe(SegmentPath p) => string.Join(";", p.Pieces.Select(q => $"{q.Start:R}-{q.End:R}:{SegmentPath.Key(q.ActivationPattern)}:{q.LocalGlm.Intercept(0):R}"));
        string expectedPath = Describe(sequential), expectedRegion = string.Join(";", LinearityAnalysis.RegionAt(model, a).Inequalities.Select(q => $"{q.Offset:R}"));
        SegmentPath shared = LinearityAnalysis.Segment(model, a, b);
        var glms = new LocalGlm[8][];
        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, t =>
        {
            Assert.Equal(report, LinearityAnalysis.Analyze(model, x, y, options).ToString());
            Assert.Equal(expectedPath, Describe(LinearityAnalysis.Segment(model, a, b)));
            Assert.Equal(expectedRegion, string.Join(";", LinearityAnalysis.RegionAt(model, a).Inequalities.Select(q => $"{q.Offset:R}")));
            glms[t] = shared.Pieces.Select(p => p.LocalGlm).ToArray();
        });
        for (int t = 1; t < 8; t++)
        {
            for (int i = 0; i < glms[0].Length; i++) Assert.Same(glms[0][i], glms[t][i]);
        }
    }

    /// <summary>The vectorised dot product and axpy of the spectra equal naive loops at every length around the vector width.</summary>
    [Fact]
    public void SpectraKernels_EqualNaive()
    {
        var rng = new Random(1);
        for (int n = 0; n < 70; n++)
        {
            double[] a = Gaussian(n, rng), b = Gaussian(n, rng);
            double naive = 0;
            for (int i = 0; i < n; i++) naive += a[i] * b[i];
            Reference.Tolerance.Equal(naive, Spectra.Dot(a, b), 1e-14, 1e-14, $"dot n = {n}");
            double[] y = (double[])b.Clone();
            Spectra.Axpy(0.7, a, y);
            for (int i = 0; i < n; i++) Assert.Equal(b[i] + 0.7 * a[i], y[i]);
        }
    }

    /// <summary>
    /// A block's rank is ill-determined when its singular values have no gap of 1000 at the threshold: the smallest
    /// counted against the threshold and the largest dropped, on both paths (singular values, and the Gram matrix's eigenvalues for large
    /// blocks, which resolve singular values only to about 1e-8 of the largest). Columns e_j s_j give singular values s.
    /// </summary>
    [Theory]
    [InlineData(20, new[] { 1.0, 1e-7, 0.0 }, 2, false)]
    [InlineData(20, new[] { 1.0, 1e-7, 1e-15 }, 2, false)] // 1e-15 is below 20 eps and far below 1e-7
    [InlineData(20, new[] { 1.0, 1e-7, 5e-14, 1e-15 }, 3, true)] // 5e-14 counted, 1e-15 dropped: a gap of 50
    [InlineData(20, new[] { 1.0, 1e-7, 4e-15 }, 2, false)] // dropped just below 20 eps = 4.4e-15, counted values far above it: a computation whose rounding pushes it over is the one flagged
    [InlineData(20, new[] { 1.0, 1e-7, 5e-15 }, 3, true)]
    [InlineData(100_000, new[] { 1.0, 1e-2, 0.0 }, 2, false)]
    [InlineData(100_000, new[] { 1.0, 1e-6, 1e-8 }, 2, true)]
    public void ColumnRank_SaysWhenTheRankHasNoGapAtTheThreshold(int rows, double[] singularValues, int rank, bool illDetermined)
    {
        var columns = new double[singularValues.Length][];
        for (int j = 0; j < columns.Length; j++)
        {
            columns[j] = new double[rows + 3];
            columns[j][2 + j] = singularValues[j]; // the block starts at row 2 of each column
        }

        (int r, double frobenius, double maxEntry, bool ill) = Spectra.ColumnRank(columns, 2, rows);
        Assert.Equal(rank, r);
        Assert.Equal(illDetermined, ill);
        Assert.Equal(Math.Sqrt(singularValues.Sum(v => v * v)), frobenius, 15);
        Assert.Equal(1.0, maxEntry);
    }

    /// <summary>
    /// The eta Hessian's rank counts eigenvalues above P eps of the largest in magnitude (P = 4 here: 8.9e-16), and is
    /// ill-determined without a gap of 1000 there, both from a dense spectrum and from the range finder's Rayleigh-Ritz
    /// values (a diagonal operator probed in full, whose eigenvalues are its diagonal).
    /// </summary>
    [Theory]
    [InlineData(new[] { 2.0, -1.0, 1e-3, 0.0 }, 3, false)]
    [InlineData(new[] { 1.0, 1e-13, 0.0, 0.0 }, 2, true)] // 1e-13 counted, within 1000 of the threshold
    [InlineData(new[] { 1.0, -0.5, 3e-16, 0.0 }, 2, false)] // 3e-16 dropped, far below the counted ones
    [InlineData(new[] { 1.0, 1e-9, -1e-11, 0.0 }, 3, false)]
    [InlineData(new[] { -1.0, 1e-10, 5e-13, 5e-16 }, 3, true)] // 5e-13 counted, 5e-16 dropped: a gap of 1000 only to the dropped one
    public void EtaHessianRank_SaysWhenTheSpectrumHasNoGapAtTheThreshold(double[] eigenvalues, int rank, bool illDetermined)
    {
        int p = eigenvalues.Length;
        double top = eigenvalues.Max(Math.Abs);
        (int r, bool ill) = Spectra.EigenvalueRank(eigenvalues, top * Spectra.RankThreshold(p));
        Assert.Equal(rank, r);
        Assert.Equal(illDetermined, ill);

        void Apply(double[] v, double[] result)
        {
            for (int i = 0; i < p; i++) result[i] = eigenvalues[i] * v[i];
        }

        RitzSpectrum ritz = Spectra.RayleighRitz(Apply, p, p, new Random(1), CancellationToken.None);
        Assert.Equal(rank, ritz.Rank);
        Assert.Equal(illDetermined, ritz.RankIsIllDetermined);
        Assert.False(ritz.RankIsLowerBound);
    }

    private sealed class SynchronousProgress(Action<LinearityProgress> report) : IProgress<LinearityProgress>
    {
        public void Report(LinearityProgress value) => report(value);
    }

    /// <summary>eta by the textbook forward pass in double (the oracle of the region laws).</summary>
    internal static double[] NaiveEta(StackedGlm<double> model, double[] x)
    {
        double[] value = x;
        double[] z = [];
        for (int l = 0; l < model.Layers.Count; l++)
        {
            GlmLayer<double> layer = model.Layers[l];
            z = new double[layer.OutputCount];
            for (int o = 0; o < z.Length; o++)
            {
                double s = layer.Bias[o];
                for (int i = 0; i < value.Length; i++) s += layer.Weights[o * value.Length + i] * value[i];
                z[o] = s;
            }

            value = l < model.Layers.Count - 1 ? z.Select(layer.Link.Inverse).ToArray() : z;
        }

        return z;
    }

    /// <summary>The size of the sums behind eta at x (the product of the layers' absolute weights times |x|): the rounding scale.</summary>
    private static double Scale(StackedGlm<double> model, double[] x)
    {
        double[] value = x.Select(Math.Abs).Append(1).ToArray();
        foreach (GlmLayer<double> layer in model.Layers)
        {
            int k = layer.InputCount;
            var next = new double[layer.OutputCount + 1];
            for (int o = 0; o < layer.OutputCount; o++)
            {
                double s = Math.Abs(layer.Bias[o]);
                for (int i = 0; i < k; i++) s += Math.Abs(layer.Weights[o * k + i]) * value[i];
                next[o] = s;
            }

            next[^1] = 1;
            value = next;
        }

        return value.Take(value.Length - 1).Max();
    }
}
