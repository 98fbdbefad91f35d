using System;
using System.Linq;
using System.Threading;
using NNLinearity.Families;
using NNLinearity.Layers;
using NNLinearity.Links;
using Xunit;

namespace NNLinearity.Tests.Concurrency;

/// <summary>One model read by many threads gives the bits of sequential calls; writers are refused while it is read.</summary>
public sealed class SharedModelTests
{
    private const int Threads = 8, CallsPerThread = 25;

    private static (StackedGlm<float> Model, float[][] X, float[][] Y, int[] Rows) Problem(int seed)
    {
        var model = StackedGlm.Create<float>(20, [new LayerSpec(256, new TanhLink()), new LayerSpec(256, new TanhLink()), new LayerSpec(1, new LogitLink())], GlmFamily.Binomial, seed);
        var rng = new Random(seed);
        int calls = Threads * CallsPerThread;
        var rows = Enumerable.Range(0, calls).Select(_ => 1 + rng.Next(300)).ToArray();
        var x = rows.Select(r => Enumerable.Range(0, r * 20).Select(_ => (float)(2 * rng.NextDouble() - 1)).ToArray()).ToArray();
        var y = rows.Select(r => Enumerable.Range(0, r).Select(_ => (float)rng.Next(2)).ToArray()).ToArray();
        return (model, x, y, rows);
    }

    [Fact]
    public void Predict_FromManyThreads_EqualsSequentialBitForBit()
    {
        (StackedGlm<float> model, float[][] x, _, int[] rows) = Problem(1);
        float[][] expected = x.Select((xi, c) => model.Predict(xi, rows[c]).Mu.ToArray()).ToArray();
        var got = new float[x.Length][];
        RunConcurrently(c => got[c] = model.Predict(x[c], rows[c]).Mu.ToArray(), x.Length);
        int wrong = Enumerable.Range(0, x.Length).Count(c => !expected[c].AsSpan().SequenceEqual(got[c]));
        Assert.Equal(0, wrong);
    }

    [Fact]
    public void LossAndDeviance_FromManyThreads_EqualSequentialBitForBit()
    {
        (StackedGlm<float> model, float[][] x, float[][] y, int[] rows) = Problem(2);
        double[] expected = x.Select((xi, c) => model.Loss(xi, y[c], rows[c])).ToArray();
        double[] expectedDev = x.Select((xi, c) => model.Deviance(xi, y[c], rows[c])).ToArray();
        var got = new double[x.Length];
        var gotDev = new double[x.Length];
        RunConcurrently(c =>
        {
            got[c] = model.Loss(x[c], y[c], rows[c]);
            gotDev[c] = model.Deviance(x[c], y[c], rows[c]);
        }, x.Length);
        Assert.Equal(expected, got);
        Assert.Equal(expectedDev, gotDev);
    }

    [Fact]
    public void Gradient_FromManyThreads_EqualsSequentialBitForBit()
    {
        (StackedGlm<float> model, float[][] x, float[][] y, int[] rows) = Problem(3);
        float[][] expected = x.Select((xi, c) =>
        {
            var g = new float[model.ParameterCount];
            model.LossAndGradient(xi, y[c], rows[c], g);
            return g;
        }).ToArray();
        var got = new float[x.Length][];
        RunConcurrently(c =>
        {
            var g = new float[model.ParameterCount];
            model.LossAndGradient(x[c], y[c], rows[c], g);
            got[c] = g;
        }, x.Length);
        Assert.Equal(0, Enumerable.Range(0, x.Length).Count(c => !expected[c].AsSpan().SequenceEqual(got[c])));
    }

    [Fact]
    public void LayerForward_FromManyThreads_EqualsSequentialBitForBit()
    {
        GlmLayer<double> layer = GlmLayer.Create<double>(33, 70, new SoftplusLink());
        var rng = new Random(4);
        layer.SetWeights(Enumerable.Range(0, 33 * 70).Select(_ => rng.NextDouble() - 0.5).ToArray());
        double[][] x = Enumerable.Range(0, 100).Select(_ => Enumerable.Range(0, 33 * 17).Select(_ => rng.NextDouble()).ToArray()).ToArray();
        double[][] Run(GlmLayer<double> l, double[] xi)
        {
            double[] eta = new double[17 * 70], mu = new double[17 * 70];
            l.Forward(xi, 17, eta, mu);
            return [eta, mu];
        }

        double[][][] expected = x.Select(xi => Run(layer, xi)).ToArray();
        layer.SetBias(new double[70]); // a new parameter version: every thread finds the packed weights stale at once
        var got = new double[x.Length][][];
        RunConcurrently(c => got[c] = Run(layer, x[c]), x.Length);
        for (int c = 0; c < x.Length; c++)
        {
            Assert.Equal(expected[c][0], got[c][0]);
            Assert.Equal(expected[c][1], got[c][1]);
        }
    }

    [Fact]
    public void Training_WhileAnotherThreadPredicts_IsRefused()
    {
        (StackedGlm<float> model, float[][] x, float[][] y, int[] rows) = Problem(5);
        using var stop = new CancellationTokenSource();
        using var reading = new ManualResetEventSlim();
        float[] big = Enumerable.Range(0, 4000 * 20).Select(i => (float)Math.Sin(i)).ToArray();
        var reader = new Thread(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                reading.Set();
                try
                {
                    model.Predict(big, 4000);
                }
                catch (InvalidOperationException e) when (e.Message.Contains("being trained", StringComparison.Ordinal))
                {
                    // A fit slipped in between two reads: the read is refused, as it must be; keep reading.
                }
            }
        });
        reader.Start();
        reading.Wait();
        float[] before = model.GetParameters();
        InvalidOperationException? refused = null;
        for (int attempt = 0; attempt < 2000 && refused is null; attempt++)
        {
            try
            {
                model.Fit(x[0], y[0], rows[0], new TrainingOptions { MaxEpochs = 1 });
            }
            catch (InvalidOperationException e)
            {
                refused = e;
                continue;
            }

            // A fit that slipped between two reads: undo it (setting parameters is refused while a read runs, so retry) and try again.
            while (true)
            {
                try
                {
                    model.SetParameters(before);
                    break;
                }
                catch (InvalidOperationException)
                {
                    Thread.Yield();
                }
            }
        }

        stop.Cancel();
        reader.Join();
        Assert.NotNull(refused);
        Assert.Contains("in use", refused!.Message, StringComparison.Ordinal);
        Assert.Equal(before, model.GetParameters());
    }

    [Fact]
    public void Predict_WhileTraining_IsRefused()
    {
        (StackedGlm<float> model, _, _, _) = Problem(6);
        float[] big = Enumerable.Range(0, 2000 * 20).Select(i => (float)Math.Cos(i)).ToArray();
        float[] labels = Enumerable.Range(0, 2000).Select(i => (float)(i % 2)).ToArray();
        using var started = new ManualResetEventSlim();
        var progress = new Progress(started);
        var training = new Thread(() => model.Fit(big, labels, 2000, new TrainingOptions { MaxEpochs = 40, Progress = progress }));
        training.Start();
        started.Wait();
        InvalidOperationException e = Assert.Throws<InvalidOperationException>((Action)(() =>
        {
            while (training.IsAlive) model.Predict(big.AsSpan(0, 20 * 10).ToArray(), 10);
            throw new InvalidOperationException("training ended before a prediction overlapped it");
        }));
        Assert.Contains("being trained", e.Message, StringComparison.Ordinal);
        training.Join();
    }

    private sealed class Progress(ManualResetEventSlim started) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => started.Set();
    }

    private static void RunConcurrently(Action<int> call, int count)
    {
        int next = -1;
        using var gate = new Barrier(Threads);
        var threads = Enumerable.Range(0, Threads).Select(_ => new Thread(() =>
        {
            gate.SignalAndWait();
            for (int c; (c = Interlocked.Increment(ref next)) < count;) call(c);
        })).ToArray();
        foreach (Thread t in threads) t.Start();
        foreach (Thread t in threads) t.Join();
    }
}

/// <summary>GLM fits and their results are values: fits run in parallel give the bits of sequential ones.</summary>
public sealed class ParallelGlmTests
{
    [Fact]
    public void ParallelFits_EqualSequentialFits_BitForBit()
    {
        var rng = new Random(7);
        (double[,] X, double[] Y)[] problems = Enumerable.Range(0, 24).Select(c =>
        {
            int n = 500 + 97 * c;
            var x = new double[n, 4];
            var y = new double[n];
            for (int i = 0; i < n; i++)
            {
                double eta = 0.2;
                for (int j = 0; j < 4; j++) eta += 0.3 * (j - 1.5) * (x[i, j] = rng.NextDouble() * 2 - 1);
                y[i] = rng.NextDouble() < 1 / (1 + Math.Exp(-eta)) ? 1 : 0;
            }

            return (x, y);
        }).ToArray();
        NNLinearity.Glm.GlmFit Fit(int c) => NNLinearity.Glm.Glm.Fit(problems[c].X, problems[c].Y, GlmFamily.Binomial, options: new NNLinearity.Glm.GlmOptions { KeepRowResults = c % 2 == 0 });
        NNLinearity.Glm.GlmFit[] sequential = Enumerable.Range(0, problems.Length).Select(Fit).ToArray();
        var parallel = new NNLinearity.Glm.GlmFit[problems.Length];
        System.Threading.Tasks.Parallel.For(0, problems.Length, new System.Threading.Tasks.ParallelOptions { MaxDegreeOfParallelism = 8 }, c => parallel[c] = Fit(c));
        for (int c = 0; c < problems.Length; c++)
        {
            Assert.Equal(sequential[c].Coefficients, parallel[c].Coefficients);
            Assert.Equal(sequential[c].StandardErrors, parallel[c].StandardErrors);
            Assert.Equal(sequential[c].Deviance, parallel[c].Deviance);
        }

        // One fit read by many threads: predictions and summaries are the sequential ones.
        var newX = new double[200, 4];
        for (int i = 0; i < 200; i++) for (int j = 0; j < 4; j++) newX[i, j] = Math.Sin(i + j);
        double[] expected = sequential[0].Predict(newX).Fit.ToArray();
        string summary = sequential[0].Summary();
        System.Threading.Tasks.Parallel.For(0, 64, _ =>
        {
            Assert.Equal(expected, sequential[0].Predict(newX).Fit);
            Assert.Equal(summary, sequential[0].Summary());
        });
    }
}

/// <summary>The bridge and the linearity analysis read a shared model like prediction does: concurrent calls give sequential bits.</summary>
public sealed class SharedAnalysisTests
{
    [Fact]
    public void AnalysisConversionAndSaving_FromManyThreads_EqualSequential()
    {
        var rng = new Random(11);
        var x = new double[40, 3];
        var y = new double[40, 1];
        for (int i = 0; i < 40; i++)
        {
            for (int j = 0; j < 3; j++) x[i, j] = rng.NextDouble() * 2 - 1;
            y[i, 0] = rng.Next(2);
        }

        var deep = StackedGlm.Create<double>(3, [new LayerSpec(4, new ReluLink()), new LayerSpec(1, new LogitLink())], GlmFamily.Binomial, seed: 2);
        var affine = StackedGlm.Create<double>(3, [new LayerSpec(4, new IdentityLink()), new LayerSpec(1, new LogitLink())], GlmFamily.Binomial, seed: 3);
        var one = StackedGlm.Create<double>(3, [new LayerSpec(1, new LogitLink())], GlmFamily.Binomial, seed: 4);
        double[] yv = Enumerable.Range(0, 40).Select(i => y[i, 0]).ToArray();
        string Run()
        {
            string report = NNLinearity.Linearity.LinearityAnalysis.Analyze(deep, x, y, new NNLinearity.Linearity.LinearityOptions { AdditivityTrials = 20, ConcavityTrials = 3 }).ToString();
            double[] collapsed = NNLinearity.Linearity.Collapse.ToSingleLayer(affine).GetParameters();
            var conversion = NNLinearity.Linearity.GlmBridge.ToGlm(one, x, yv);
            using var stream = new System.IO.MemoryStream();
            ModelFile.Save(deep, stream);
            return report + string.Join(",", collapsed.Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture)))
                + string.Join(",", conversion.Fit.Coefficients.Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture)))
                + Convert.ToBase64String(stream.ToArray());
        }

        string expected = Run();
        var got = new string[16];
        var threads = Enumerable.Range(0, 4).Select(t => new Thread(() =>
        {
            for (int c = t; c < got.Length; c += 4) got[c] = Run();
        })).ToArray();
        foreach (Thread t in threads) t.Start();
        foreach (Thread t in threads) t.Join();
        Assert.All(got, g => Assert.Equal(expected, g));
    }
}
