using System;
using System.IO;
using System.Linq;
using System.Threading;
using MathNet.Numerics.Distributions;
using NNLinearity.Families;
using NNLinearity.Layers;
using NNLinearity.Links;
using Xunit;

namespace NNLinearity.Tests.Layers;

public class TrainingTests
{
    private static readonly double[,] XorX = { { 0, 0 }, { 0, 1 }, { 1, 0 }, { 1, 1 } };
    private static readonly double[,] XorY = { { 0 }, { 1 }, { 1 }, { 0 } };

    private static double Accuracy(StackedGlm<double> model, double[,] x, double[,] y)
    {
        Prediction<double> p = model.Predict(x);
        int n = x.GetLength(0), correct = 0;
        for (int i = 0; i < n; i++)
        {
            if (model.IsMultinomial)
            {
                int best = Enumerable.Range(0, p.Outputs).MaxBy(j => p.GetMu(i, j));
                correct += y[i, best] == 1 ? 1 : 0;
            }
            else
            {
                correct += (p.GetMu(i, 0) > 0.5) == (y[i, 0] == 1) ? 1 : 0;
            }
        }

        return (double)correct / n;
    }

    [Fact]
    public void Xor_TwoLayerTanh_DrivesDevianceBelowOneHundredth()
    {
        var model = StackedGlm.Create<double>(2, [new LayerSpec(4, new TanhLink()), new LayerSpec(1, new LogitLink())], GlmFamily.Binomial, seed: 1);
        TrainingResult r = model.Fit(XorX, XorY, new TrainingOptions { Optimizer = Optimizer.Lbfgs, MaxEpochs = 500 });
        double deviance = 2 * 4 * model.Loss(XorX, XorY);
        Assert.True(deviance < 0.01, $"XOR deviance {deviance} after {r.Epochs} iterations ({r.StopReason})");
        Assert.Equal(1.0, Accuracy(model, XorX, XorY));
    }

    [Fact]
    public void Xor_OneLayerLogistic_CannotExceedThreeQuarters()
    {
        var model = StackedGlm.Create<double>(2, [new LayerSpec(1, new LogitLink())], GlmFamily.Binomial, seed: 1);
        model.Fit(XorX, XorY, new TrainingOptions { Optimizer = Optimizer.Lbfgs, MaxEpochs = 500 });
        Assert.True(Accuracy(model, XorX, XorY) <= 0.75);
    }

    [Fact]
    public void PoissonRegression_NonlinearMean_ApproachesTheTrueMean()
    {
        // mu(x) = exp(sin(2 x1) + x2^2 / 2 - 0.5) on [-2, 2]^2: the log mean is not linear in x.
        var rng = new Random(11);
        double[,] Make(int n, out double[,] y, out double[] trueMu)
        {
            var x = new double[n, 2];
            y = new double[n, 1];
            trueMu = new double[n];
            for (int i = 0; i < n; i++)
            {
                x[i, 0] = 4 * rng.NextDouble() - 2;
                x[i, 1] = 4 * rng.NextDouble() - 2;
                trueMu[i] = Math.Exp(Math.Sin(2 * x[i, 0]) + x[i, 1] * x[i, 1] / 2 - 0.5);
                y[i, 0] = Poisson.Sample(rng, trueMu[i]);
            }

            return x;
        }

        double[,] x = Make(3000, out double[,] y, out _);
        double[,] xTest = Make(2000, out double[,] yTest, out double[] muTest);
        var model = StackedGlm.Create<double>(2, [new LayerSpec(16, new TanhLink()), new LayerSpec(1, new LogLink())], GlmFamily.Poisson, seed: 3);
        model.Fit(x, y, new TrainingOptions { Optimizer = Optimizer.Adam, LearningRate = 0.01, MaxEpochs = 150, BatchSize = 64, Seed = 5 });

        // Stated accuracy: on new data, the test deviance is within 10% of the true mean's deviance, and the fitted
        // mean is within 20% of the true mean on average (relative error); a Poisson GLM on x is far from both.
        double netDev = 2 * 2000 * model.Loss(xTest, yTest);
        double trueDev = 0;
        for (int i = 0; i < 2000; i++) trueDev += GlmFamily.Poisson.Deviance(yTest[i, 0], muTest[i], 1);
        Prediction<double> p = model.Predict(xTest);
        double relErr = Enumerable.Range(0, 2000).Average(i => Math.Abs(p.GetMu(i, 0) - muTest[i]) / muTest[i]);
        var glm = NNLinearity.Glm.Glm.Fit(x, Enumerable.Range(0, 3000).Select(i => y[i, 0]).ToArray(), GlmFamily.Poisson);
        double glmDev = 0;
        double[] glmMu = glm.Predict(xTest).Fit.ToArray();
        for (int i = 0; i < 2000; i++) glmDev += GlmFamily.Poisson.Deviance(yTest[i, 0], glmMu[i], 1);
        Assert.True(netDev < 1.1 * trueDev, $"network test deviance {netDev}, true mean's {trueDev}");
        Assert.True(relErr < 0.2, $"mean relative error {relErr}");
        Assert.True(glmDev > 1.5 * netDev, $"GLM test deviance {glmDev}, network {netDev}");
    }

    [Fact]
    public void ThreeClassRings_SoftmaxNetwork_ReachesNinetyPercent()
    {
        // Class = which ring (radius < 1, 1..2, 2..3) a point falls in: no linear boundary separates the rings.
        var rng = new Random(21);
        double[,] Make(int n, out double[,] y)
        {
            var x = new double[n, 2];
            var labels = new int[n];
            for (int i = 0; i < n; i++)
            {
                double r = 3 * Math.Sqrt(rng.NextDouble()), a = 2 * Math.PI * rng.NextDouble();
                x[i, 0] = r * Math.Cos(a);
                x[i, 1] = r * Math.Sin(a);
                labels[i] = Math.Min(2, (int)r);
            }

            y = StackedGlm.OneHot<double>(labels, 3);
            return x;
        }

        double[,] x = Make(1500, out double[,] y), xTest = Make(1000, out double[,] yTest);
        var net = StackedGlm.CreateMultinomial<double>(2, [new LayerSpec(16, new TanhLink())], 3, seed: 2);
        net.Fit(x, y, new TrainingOptions { Optimizer = Optimizer.Adam, LearningRate = 0.02, MaxEpochs = 200, BatchSize = 32, Seed = 4 });
        var linear = StackedGlm.CreateMultinomial<double>(2, [], 3, seed: 2);
        linear.Fit(x, y, new TrainingOptions { Optimizer = Optimizer.Lbfgs, MaxEpochs = 200 });
        double netAccuracy = Accuracy(net, xTest, yTest), linearAccuracy = Accuracy(linear, xTest, yTest);
        Assert.True(netAccuracy >= 0.9, $"network accuracy {netAccuracy}");
        Assert.True(linearAccuracy < 0.6, $"multinomial GLM accuracy {linearAccuracy}");
    }

    private static (double[,] X, double[,] Y) Regression(int n, int p, int seed)
    {
        var rng = new Random(seed);
        var x = new double[n, p];
        var y = new double[n, 1];
        for (int i = 0; i < n; i++)
        {
            double s = 0;
            for (int j = 0; j < p; j++) s += Math.Sin(x[i, j] = Normal.Sample(rng, 0, 1));
            y[i, 0] = s + Normal.Sample(rng, 0, 0.3);
        }

        return (x, y);
    }

    [Theory]
    [InlineData(Optimizer.Sgd)]
    [InlineData(Optimizer.Sgd, 0.0)] // no momentum: no moment buffers, the update split over threads all the same
    [InlineData(Optimizer.Adam)]
    [InlineData(Optimizer.Lbfgs)]
    public void Training_IsBitIdentical_ForSeedDataAndAnyThreadCount(Optimizer optimizer, double momentum = 0.9)
    {
        // 256-row batches through 128 -> 256 -> 256 layers are above the kernels' threading threshold, and a batch of
        // 256 x 128 doubles is gathered by both threads.
        (double[,] x, double[,] y) = Regression(512, 128, 9);
        double[] Train(int threads)
        {
            var m = StackedGlm.Create<double>(128, [new LayerSpec(256, new TanhLink()), new LayerSpec(256, new ReluLink()), new LayerSpec(1, new IdentityLink())], GlmFamily.Gaussian, seed: 8);
            m.Fit(x, y, new TrainingOptions { Optimizer = optimizer, MaxEpochs = 3, BatchSize = 256, LearningRate = 1e-3, Momentum = momentum, Seed = 6, Threads = threads, ValidationFraction = 0.1 });
            return m.GetParameters();
        }

        double[] a = Train(1), b = Train(2), c = Train(1);
        Assert.Equal(a, c);
        Assert.Equal(a, b);
    }

    [Theory]
    [InlineData(Optimizer.Sgd, 0.9)]
    [InlineData(Optimizer.Adam, 0.9)]
    [InlineData(Optimizer.Lbfgs, 0.9)]
    [InlineData(Optimizer.Sgd, 0.0)]
    public void Training_IsBitIdentical_AfterOtherWorkOnTheSameModel(Optimizer optimizer, double momentum)
    {
        // A fit reuses the model's spare workspace and the shared pools' arrays, whose contents are left by earlier
        // work: a larger workspace (from a loss over many rows) and moments and batches of another fit must not
        // change a bit of the result.
        (double[,] x, double[,] y) = Regression(300, 6, 21);
        (double[,] x2, double[,] y2) = Regression(700, 6, 22);
        StackedGlm<double> New() => StackedGlm.Create<double>(6, [new LayerSpec(16, new TanhLink()), new LayerSpec(1, new IdentityLink())], GlmFamily.Gaussian, seed: 4);
        TrainingOptions Options(Optimizer o, int batch, int seed) => new()
        {
            Optimizer = o, MaxEpochs = 4, BatchSize = batch, LearningRate = 1e-2, Momentum = momentum, Seed = seed, Threads = 1,
        };

        StackedGlm<double> fresh = New();
        TrainingResult expected = fresh.Fit(x, y, Options(optimizer, 32, 5));

        StackedGlm<double> used = New();
        double[] start = used.GetParameters();
        used.Fit(x2, y2, Options(Optimizer.Adam, 50, 9));
        used.Fit(x2, y2, Options(optimizer, 17, 10));
        Assert.True(double.IsFinite(used.Loss(x2, y2)));
        used.SetParameters(start);
        TrainingResult again = used.Fit(x, y, Options(optimizer, 32, 5));

        Assert.Equal(fresh.GetParameters(), used.GetParameters());
        Assert.Equal(expected.TrainingLoss, again.TrainingLoss);
        Assert.Equal(expected.Epochs, again.Epochs);
        Assert.Equal(expected.History.Select(h => h.TrainingLoss), again.History.Select(h => h.TrainingLoss));
    }

    [Fact]
    public void EarlyStopping_RestoresTheBestValidationLoss()
    {
        (double[,] x, double[,] y) = Regression(200, 3, 4);
        var model = StackedGlm.Create<double>(3, [new LayerSpec(32, new TanhLink()), new LayerSpec(1, new IdentityLink())], GlmFamily.Gaussian, seed: 1);
        TrainingResult r = model.Fit(x, y, new TrainingOptions { LearningRate = 0.05, MaxEpochs = 2000, ValidationFraction = 0.3, Patience = 5, Seed = 2 });
        Assert.Equal(TrainingStopReason.EarlyStopping, r.StopReason);
        double best = r.History.Min(h => h.ValidationLoss!.Value);
        Assert.Equal(best, r.ValidationLoss!.Value, 12);
        Assert.True(r.Epochs < 2000);
    }

    [Fact]
    public void Progress_IsReportedEachEpoch_AndCancellationStopsTraining()
    {
        (double[,] x, double[,] y) = Regression(100, 2, 1);
        var model = StackedGlm.Create<double>(2, [new LayerSpec(1, new IdentityLink())], GlmFamily.Gaussian);
        var seen = new System.Collections.Generic.List<TrainingProgress>();
        var progress = new SynchronousProgress(seen.Add);
        TrainingResult r = model.Fit(x, y, new TrainingOptions { MaxEpochs = 7, Patience = 100, Progress = progress });
        Assert.Equal(7, seen.Count);
        Assert.Equal(Enumerable.Range(1, 7), seen.Select(s => s.Epoch));
        Assert.Equal(r.History, seen);

        using var cts = new CancellationTokenSource();
        cts.Cancel();
        double[] before = model.GetParameters();
        Assert.ThrowsAny<OperationCanceledException>(() => model.Fit(x, y, new TrainingOptions { CancellationToken = cts.Token }));
        Assert.Equal(before, model.GetParameters());
    }

    private sealed class SynchronousProgress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }

    [Fact]
    public void BadInput_GetsTypedExceptionsNamingTheProblem()
    {
        var model = StackedGlm.Create<double>(2, [new LayerSpec(3, new TanhLink()), new LayerSpec(1, new LogitLink())], GlmFamily.Binomial);
        var x = new double[,] { { 0, 1 }, { 1, double.NaN } };
        var ex = Assert.Throws<ArgumentException>(() => model.Fit(x, new double[,] { { 0 }, { 1 } }));
        Assert.Equal("x", ex.ParamName);
        Assert.Contains("NaN", ex.Message);

        var y = Assert.Throws<ArgumentOutOfRangeException>(() => model.Fit(new double[,] { { 0, 1 }, { 1, 0 } }, new double[,] { { 0 }, { 2 } }));
        Assert.Contains("support of the binomial family", y.Message);

        var shape = Assert.Throws<ArgumentException>(() => model.Predict(new double[,] { { 1, 2, 3 } }));
        Assert.Contains("3 columns", shape.Message);
        Assert.Throws<ArgumentException>(() => model.Fit(new double[0, 2], new double[0, 1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => model.Fit(XorX, XorY, new TrainingOptions { LearningRate = -1 }));
        Assert.Throws<ArgumentException>(() => StackedGlm.Create<double>(2, [new LayerSpec(1, new IdentityLink())], GlmFamily.Binomial)); // binomial does not accept the identity link
        Assert.Throws<ArgumentException>(() => model.SetParameters(new double[model.ParameterCount - 1]));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void SaveLoad_RoundTripReproducesPredictionsExactly(bool multinomial)
    {
        (double[,] x, double[,] y) = Regression(50, 3, 2);
        StackedGlm<double> model = multinomial
            ? StackedGlm.CreateMultinomial<double>(3, [new LayerSpec(5, new LeakyReluLink(0.2))], 4, seed: 3)
            : StackedGlm.Create<double>(3, [new LayerSpec(5, new SoftplusLink()), new LayerSpec(1, new PowerLink(0.5))], GlmFamily.Tweedie(1.3), seed: 3);
        if (!multinomial) model.Fit(x, Abs(y), new TrainingOptions { MaxEpochs = 5 });
        using var stream = new MemoryStream();
        ModelFile.Save(model, stream);
        stream.Position = 0;
        StackedGlm<double> loaded = ModelFile.Load<double>(stream);
        Assert.Equal(model.ToString(), loaded.ToString());
        Assert.Equal(model.GetParameters(), loaded.GetParameters());
        Assert.Equal(model.Predict(x).Mu.ToArray(), loaded.Predict(x).Mu.ToArray());

        var f = StackedGlm.Create<float>(3, [new LayerSpec(5, new ReluLink()), new LayerSpec(1, new LogitLink())], GlmFamily.Binomial, seed: 5);
        using var fs = new MemoryStream();
        ModelFile.Save(f, fs);
        fs.Position = 0;
        Assert.Equal(f.GetParameters(), ModelFile.Load<float>(fs).GetParameters());
    }

    private static double[,] Abs(double[,] y)
    {
        var a = (double[,])y.Clone();
        for (int i = 0; i < a.GetLength(0); i++) a[i, 0] = Math.Abs(a[i, 0]);
        return a;
    }

    [Fact]
    public void Load_CorruptTruncatedOrMismatchedFiles_ThrowInvalidData()
    {
        var model = StackedGlm.Create<double>(2, [new LayerSpec(3, new TanhLink()), new LayerSpec(1, new LogitLink())], GlmFamily.Binomial, seed: 1);
        using var stream = new MemoryStream();
        ModelFile.Save(model, stream);
        string json = System.Text.Encoding.UTF8.GetString(stream.ToArray());
        StackedGlm<double> Load(string text) => ModelFile.Load<double>(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text)));

        Assert.Throws<InvalidDataException>(() => Load(json[..(json.Length / 2)]));                       // truncated
        Assert.Throws<InvalidDataException>(() => Load(json.Replace("\"tanh\"", "\"swish\"")));             // unknown link
        Assert.Throws<InvalidDataException>(() => Load(json.Replace("\"binomial\"", "\"bernoulli\"")));     // unknown family
        Assert.Throws<InvalidDataException>(() => Load(json.Replace("\"outputs\": 3", "\"outputs\": 4"))); // shapes
        Assert.Throws<InvalidDataException>(() => Load(json.Replace("NNLinearity.StackedGlm", "Other")));   // not a model
        Assert.Throws<InvalidDataException>(() => ModelFile.Load<float>(new MemoryStream(stream.ToArray()))); // element type
        Assert.Throws<InvalidDataException>(() => Load("{}"));
    }
}
