using System;
using System.Linq;
using System.Threading;
using MathNet.Numerics.Distributions;
using NNLinearity.Families;
using NNLinearity.Layers;
using NNLinearity.Links;
using Xunit;

namespace NNLinearity.Tests.Layers;

/// <summary>A stop reason says what happened: convergence only when a convergence criterion held.</summary>
public sealed class TrainingOutcomeTests
{
    private static (double[,] X, double[,] Y) Logistic(int n, int seed)
    {
        var rng = new Random(seed);
        var x = new double[n, 3];
        var y = new double[n, 1];
        for (int i = 0; i < n; i++)
        {
            double eta = 0;
            for (int j = 0; j < 3; j++) eta += (j - 1) * (x[i, j] = Normal.Sample(rng, 0, 1));
            y[i, 0] = rng.NextDouble() < 1 / (1 + Math.Exp(-eta)) ? 1 : 0;
        }

        return (x, y);
    }

    private static StackedGlm<double> Model(int seed = 1) =>
        StackedGlm.Create<double>(3, [new LayerSpec(8, new TanhLink()), new LayerSpec(1, new LogitLink())], GlmFamily.Binomial, seed);

    [Theory]
    [InlineData(Optimizer.Sgd)]
    [InlineData(Optimizer.Adam)]
    public void HugeLearningRate_IsDiverged_AndKeepsTheBestFiniteParameters(Optimizer optimizer)
    {
        (double[,] x, double[,] y) = Logistic(200, 1);
        StackedGlm<double> model = Model();
        double start = model.Loss(x, y);
        TrainingResult r = model.Fit(x, y, new TrainingOptions { Optimizer = optimizer, LearningRate = 1e10, MaxEpochs = 50 });
        Assert.Equal(TrainingStopReason.Diverged, r.StopReason);
        Assert.All(model.GetParameters(), v => Assert.True(double.IsFinite(v)));
        Assert.True(r.TrainingLoss <= start, $"kept loss {r.TrainingLoss} above the starting {start}");
        Assert.Equal(model.Loss(x, y), r.TrainingLoss, 1e-14); // summed in batches of rows: equal to rounding
    }

    [Fact]
    public void DivergenceFactor_Infinity_TurnsTheRuleOff()
    {
        (double[,] x, double[,] y) = Logistic(200, 1);
        TrainingResult r = Model().Fit(x, y, new TrainingOptions { Optimizer = Optimizer.Sgd, LearningRate = 50, Momentum = 0, MaxEpochs = 3, DivergenceFactor = double.PositiveInfinity, Patience = 100 });
        Assert.NotEqual(TrainingStopReason.Diverged, r.StopReason);
    }

    [Fact]
    public void Plateau_WithoutValidation_IsNoImprovement_NotConverged()
    {
        (double[,] x, double[,] y) = Logistic(200, 2);
        TrainingResult r = Model().Fit(x, y, new TrainingOptions { LearningRate = 0.05, MaxEpochs = 5000, Patience = 3, Tolerance = 1e-3 });
        Assert.Equal(TrainingStopReason.NoImprovement, r.StopReason);
        Assert.True(r.Epochs < 5000);
    }

    [Fact]
    public void Lbfgs_Converged_MeansTheGradientIsBelowTolerance()
    {
        (double[,] x, double[,] y) = Logistic(200, 3);
        var model = StackedGlm.Create<double>(3, [new LayerSpec(1, new LogitLink())], GlmFamily.Binomial, seed: 1);
        TrainingResult r = model.Fit(x, y, new TrainingOptions { Optimizer = Optimizer.Lbfgs, GradientTolerance = 1e-9, MaxEpochs = 500 });
        Assert.Equal(TrainingStopReason.Converged, r.StopReason);
        var g = new double[model.ParameterCount];
        model.LossAndGradient(Flatten(x), Flatten(y), 200, g);
        Assert.True(g.Max(Math.Abs) <= 1e-9, $"max |gradient| {g.Max(Math.Abs)}");
    }

    [Theory]
    [InlineData(Optimizer.Adam, 0.0)]
    [InlineData(Optimizer.Adam, 0.3)]
    [InlineData(Optimizer.Lbfgs, 0.3)]
    public void Cancellation_KeepsTheRun_AndRestoresTheBestValidatedParameters(Optimizer optimizer, double validation)
    {
        (double[,] x, double[,] y) = Logistic(300, 4);
        StackedGlm<double> model = Model();
        using var cts = new CancellationTokenSource();
        var progress = new Synchronous(p =>
        {
            if (p.Epoch == 6) cts.Cancel();
        });
        var options = new TrainingOptions { Optimizer = optimizer, LearningRate = 0.05, MaxEpochs = 1000, ValidationFraction = validation, Progress = progress, CancellationToken = cts.Token, Seed = 3 };
        TrainingCanceledException e = Assert.Throws<TrainingCanceledException>(() => model.Fit(x, y, options));
        Assert.Equal(cts.Token, e.CancellationToken);
        TrainingResult r = e.Result!;
        Assert.Equal(TrainingStopReason.Canceled, r.StopReason);
        Assert.Equal(6, r.History.Count);
        Assert.Equal(6, r.Epochs);
        if (validation > 0)
        {
            Assert.True(r.ValidationLoss <= r.History.Min(h => h.ValidationLoss!.Value), $"kept {r.ValidationLoss}, history {string.Join(", ", r.History.Select(h => h.ValidationLoss))}");
        }

        // The model is free again, and the result describes the parameters it kept.
        Assert.Equal(1, model.Fit(x, y, options with { CancellationToken = default, MaxEpochs = 1, Progress = null }).Epochs);
    }

    [Fact]
    public void ValidationSplit_OnOneRow_SaysWhatIsWrong()
    {
        var e = Assert.Throws<ArgumentException>(() => Model().Fit(new double[1, 3], new double[1, 1], new TrainingOptions { ValidationFraction = 0.2 }));
        Assert.Equal("options", e.ParamName);
        Assert.Contains("ValidationFraction 0.2 needs at least 2 rows", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UndefinedOptimizer_IsRefused()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Model().Fit(new double[4, 3], new double[4, 1], new TrainingOptions { Optimizer = (Optimizer)42 }));
        Assert.Contains("Optimizer 42", e.Message, StringComparison.Ordinal);
    }

    private static double[] Flatten(double[,] a) => a.Cast<double>().ToArray();

    private sealed class Synchronous(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}

/// <summary>Responses as a vector for one output or a matrix for several, and MathNet matrices, give the same model.</summary>
public sealed class ResponseShapeTests
{
    [Fact]
    public void VectorMatrixAndMathNetResponses_TrainTheSameModel()
    {
        var rng = new Random(5);
        var x = new double[50, 2];
        var y = new double[50, 1];
        var yv = new double[50];
        for (int i = 0; i < 50; i++)
        {
            x[i, 0] = rng.NextDouble();
            x[i, 1] = rng.NextDouble();
            yv[i] = y[i, 0] = rng.Next(2);
        }

        StackedGlm<double> Model() => StackedGlm.Create<double>(2, [new LayerSpec(3, new TanhLink()), new LayerSpec(1, new LogitLink())], GlmFamily.Binomial, seed: 4);
        var options = new TrainingOptions { MaxEpochs = 5 };
        StackedGlm<double> a = Model(), b = Model(), c = Model(), d = Model();
        a.Fit(x, y, options);
        b.Fit(x, yv, options);
        c.Fit(MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.DenseOfArray(x), MathNet.Numerics.LinearAlgebra.Vector<double>.Build.DenseOfArray(yv), options);
        d.Fit(MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.DenseOfArray(x), MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.DenseOfArray(y), options);
        Assert.Equal(a.GetParameters(), b.GetParameters());
        Assert.Equal(a.GetParameters(), c.GetParameters());
        Assert.Equal(a.GetParameters(), d.GetParameters());
        Assert.Equal(a.Loss(x, y), a.Loss(x, yv));
        Assert.Equal(a.Predict(x).Mu.ToArray(), a.Predict(MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.DenseOfArray(x)).Mu.ToArray());
        var e = Assert.Throws<ArgumentException>(() => StackedGlm.Create<double>(2, [new LayerSpec(2, new LogitLink())], GlmFamily.Binomial).Fit(x, yv));
        Assert.Equal("y", e.ParamName);

        var fit = NNLinearity.Glm.Glm.Fit(x, yv, GlmFamily.Binomial);
        var mx = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.DenseOfArray(x);
        var my = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.DenseOfArray(y);
        Assert.Equal(fit.Predict(x).Fit, fit.Predict(mx).Fit);
        Assert.Equal(a.Loss(x, y), a.Loss(mx, my));
        var opts = new NNLinearity.Linearity.LinearityOptions { AdditivityTrials = 10, ConcavityTrials = 2 };
        Assert.Equal(NNLinearity.Linearity.LinearityAnalysis.Analyze(a, x, y, opts).ToString(), NNLinearity.Linearity.LinearityAnalysis.Analyze(a, mx, my, opts).ToString());
        var one = StackedGlm.Create<double>(2, [new LayerSpec(1, new LogitLink())], GlmFamily.Binomial, seed: 1);
        Assert.Equal(NNLinearity.Linearity.GlmBridge.ToGlm(one, x, yv).Fit.Coefficients, NNLinearity.Linearity.GlmBridge.ToGlm(one, mx, MathNet.Numerics.LinearAlgebra.Vector<double>.Build.DenseOfArray(yv)).Fit.Coefficients);
    }
}
