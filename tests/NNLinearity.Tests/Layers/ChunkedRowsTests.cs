using System;
using System.Numerics;
using NNLinearity.Families;
using NNLinearity.Layers;
using NNLinearity.Links;
using Xunit;

namespace NNLinearity.Tests.Layers;

/// <summary>
/// Predictions and losses over many rows are computed <c>RowsPerChunk</c> rows at a time through a bounded workspace:
/// the same bits as the rows taken in any other grouping, and the model keeps no workspace larger than a chunk.
/// </summary>
public sealed class ChunkedRowsTests
{
    private static StackedGlm<T> Multinomial<T>() where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        StackedGlm.CreateMultinomial<T>(3, [new LayerSpec(5, new TanhLink()), new LayerSpec(4, new ReluLink())], 3, seed: 7);

    private static StackedGlm<T> Poisson<T>() where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        StackedGlm.Create<T>(3, [new LayerSpec(6, new LogitLink()), new LayerSpec(1, new LogLink())], GlmFamily.Poisson, seed: 3);

    private static T[] Inputs<T>(int rows, int seed) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var rng = new Random(seed);
        var x = new T[rows * 3];
        for (int i = 0; i < x.Length; i++) x[i] = T.CreateTruncating(4 * rng.NextDouble() - 2);
        return x;
    }

    /// <summary>Responses (one-hot classes, or counts of one output), prior weights 0 to 3 and offsets in [-0.5, 0.5).</summary>
    private static (T[] Y, double[] Weights, T[] Offset) Responses<T>(int rows, int k, bool multinomial, int seed) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var rng = new Random(seed);
        var y = new T[rows * k];
        var w = new double[rows];
        var offset = new T[rows * k];
        for (int i = 0; i < rows; i++)
        {
            if (multinomial) y[i * k + rng.Next(k)] = T.One;
            else y[i] = T.CreateTruncating(rng.Next(6));
            w[i] = rng.Next(4);
            for (int j = 0; j < k; j++) offset[i * k + j] = T.CreateTruncating(rng.NextDouble() - 0.5);
        }

        return (y, w, offset);
    }

    /// <summary>More rows than two chunks, and not a whole number of them.</summary>
    private static int ManyRows<T>(StackedGlm<T> model) where T : unmanaged, IBinaryFloatingPointIeee754<T> => 2 * model.RowsPerChunk + 37;

    private static void PredictionsMatchSlices<T>(StackedGlm<T> model, bool withOffset) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int rows = ManyRows(model), k = model.OutputCount;
        T[] x = Inputs<T>(rows, 11);
        T[] offset = withOffset ? Inputs<T>(rows * k / 3 + 1, 12)[..(rows * k)] : [];
        Prediction<T> all = model.Predict(x, rows, offset);
        var rng = new Random(5);
        for (int start = 0; start < rows;)
        {
            // Slices of 1 to 3,000 rows, so that their edges fall anywhere within the chunks.
            int r = Math.Min(rows - start, rng.Next(3) == 0 ? 1 : rng.Next(1, 3000));
            Prediction<T> part = model.Predict(x.AsSpan(start * 3, r * 3), r, withOffset ? offset.AsSpan(start * k, r * k) : default);
            Assert.True(part.Eta.SequenceEqual(all.Eta.Slice(start * k, r * k)), $"eta of rows {start}..{start + r}");
            Assert.True(part.Mu.SequenceEqual(all.Mu.Slice(start * k, r * k)), $"mu of rows {start}..{start + r}");
            start += r;
        }

        Assert.True(model.SpareCapacity <= model.RowsPerChunk, $"the model keeps a workspace of {model.SpareCapacity} rows; a chunk is {model.RowsPerChunk}");
    }

    [Fact]
    public void Predict_OverManyRows_IsTheSameBitsAsAnySlicing()
    {
        PredictionsMatchSlices(Multinomial<float>(), withOffset: false);
        PredictionsMatchSlices(Multinomial<double>(), withOffset: true);
        PredictionsMatchSlices(Poisson<float>(), withOffset: true);
        PredictionsMatchSlices(Poisson<double>(), withOffset: false);
    }

    /// <summary>
    /// One output: the loss over all rows is the in-order sum of the one-row losses (each exact: one row's loss is its
    /// half deviance times 1/1) times 1/rows, to the bit, so chunks continue one running sum.
    /// </summary>
    [Fact]
    public void Loss_OverManyRows_IsTheInOrderSumOfRowLosses()
    {
        StackedGlm<double> model = Poisson<double>();
        int rows = ManyRows(model);
        double[] x = Inputs<double>(rows, 21);
        var rng = new Random(22);
        var y = new double[rows];
        for (int i = 0; i < rows; i++) y[i] = rng.Next(6);
        double sum = 0;
        for (int i = 0; i < rows; i++) sum += model.Loss(x.AsSpan(i * 3, 3), y.AsSpan(i, 1), 1);
        Assert.Equal(BitConverter.DoubleToInt64Bits(sum * (1.0 / rows)), BitConverter.DoubleToInt64Bits(model.Loss(x, y, rows)));
        Assert.Equal(2.0 * rows * model.Loss(x, y, rows), model.Deviance(x, y, rows));
        Assert.True(model.SpareCapacity <= model.RowsPerChunk);
    }

    /// <summary>Several outputs: the loss in chunks of any size is the loss in one chunk, to the bit (weights and an offset too).</summary>
    [Fact]
    public void Loss_DoesNotDependOnTheChunk()
    {
        StackedGlm<float> model = Multinomial<float>();
        int rows = ManyRows(model), k = model.OutputCount;
        float[] x = Inputs<float>(rows, 31);
        (float[] y, double[] w, float[] offset) = Responses<float>(rows, k, multinomial: true, seed: 32);

        double whole = model.ChunkedLoss(x, y, rows, 0, w, offset, chunk: rows);
        Assert.Equal(whole, model.Loss(x, y, rows, w, offset));
        foreach (int chunk in new[] { 1, 16, 255, 4096 }) Assert.Equal(whole, model.ChunkedLoss(x, y, rows, 0, w, offset, chunk));
    }

    private static void GradientIsTheSameBitsInChunks<T>(StackedGlm<T> model, bool multinomial) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int block = NNLinearity.Kernels.Gemm.KC<T>(), rows = 5 * block + 37, k = model.OutputCount;
        T[] x = Inputs<T>(rows, 51);
        (T[] y, double[] w, T[] offset) = Responses<T>(rows, k, multinomial, seed: 52);

        var whole = new T[model.ParameterCount];
        double wholeLoss = model.LossAndGradientCore(x, y, rows, whole, 0.01, 0, withGradient: true, model.NewWorkspace(rows), w, offset);
        foreach (int chunk in new[] { 1, 37, 255, block + 5 })
        {
            var g = new T[model.ParameterCount];
            double loss = model.LossAndGradientCore(x, y, rows, g, 0.01, 0, withGradient: true, model.NewWorkspace(chunk), w, offset, chunk);
            Assert.Equal(wholeLoss, loss);
            Assert.True(g.AsSpan().SequenceEqual(whole), $"the gradient in chunks of {chunk} rows");
        }

        var viaPublic = new T[model.ParameterCount];
        double publicLoss = model.LossAndGradient(x, y, rows, viaPublic);
        var unpenalised = new T[model.ParameterCount];
        Assert.Equal(model.LossAndGradientCore(x, y, rows, unpenalised, 0, 0, withGradient: true, model.NewWorkspace(rows)), publicLoss);
        Assert.True(viaPublic.AsSpan().SequenceEqual(unpenalised));
        Assert.True(model.SpareCapacity <= model.RowsPerChunk);
    }

    /// <summary>
    /// A gradient in chunks of any size, across the products' inner blocks of rows, is the gradient of all rows at once,
    /// to the bit (each weight-gradient entry is one chain of fused multiply-adds over the rows in order; each bias entry
    /// a sum row by row); so is the loss.
    /// </summary>
    [Fact]
    public void Gradient_InChunks_IsTheSameBits()
    {
        GradientIsTheSameBitsInChunks(Multinomial<float>(), multinomial: true);
        GradientIsTheSameBitsInChunks(Poisson<double>(), multinomial: false);
    }

    /// <summary>What training reports as its final loss is the model's loss at its parameters, to the bit.</summary>
    [Fact]
    public void TrainingLoss_IsTheModelsLoss()
    {
        StackedGlm<float> model = Multinomial<float>();
        const int Rows = 1000;
        float[] x = Inputs<float>(Rows, 41);
        var y = new float[Rows * 3];
        for (int i = 0; i < Rows; i++) y[i * 3 + (x[i * 3] > 0 ? 1 : x[i * 3 + 1] > 0 ? 2 : 0)] = 1;
        TrainingResult r = model.Fit(x, y, Rows, new TrainingOptions { Optimizer = Optimizer.Sgd, LearningRate = 0.1, BatchSize = 64, MaxEpochs = 3, Seed = 1, Threads = 1 });
        Assert.Equal(model.Loss(x, y, Rows), r.TrainingLoss);
    }

    /// <summary>A row beyond the first chunk that overflows the output's linear predictor is named by its own index.</summary>
    [Fact]
    public void Predict_NamesTheOverflowingRow_BeyondTheFirstChunk()
    {
        StackedGlm<float> model = StackedGlm.Create<float>(1, [new LayerSpec(1, new IdentityLink()), new LayerSpec(1, new IdentityLink())], GlmFamily.Gaussian, seed: 1);
        model.SetParameters([10f, 0f, 10f, 0f]);
        int rows = model.RowsPerChunk + 40, bad = model.RowsPerChunk + 5;
        var x = new float[rows];
        x[bad] = 3e37f;
        var e = Assert.Throws<ArgumentException>(() => model.Predict(x, rows));
        Assert.Equal("x", e.ParamName);
        Assert.StartsWith($"Row {bad} of x drives output 0", e.Message, StringComparison.Ordinal);
    }
}
