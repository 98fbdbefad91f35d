using System;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using NNLinearity.Families;
using NNLinearity.Layers;
using NNLinearity.Linearity;
using NNLinearity.Links;

namespace NNLinearity.Benchmarks;

/// <summary>
/// The linearity analysis at real size, one thread: a 50-128-24-1 tanh network (9,649 parameters) and the
/// 784-256-256-10 tanh/softmax float network (269,322 parameters), each on 1,000 rows with responses (the full report:
/// eta-Hessian probes of every row and spectra at 8 rows, 200 additivity trials, the log-likelihood's extremes by
/// Lanczos at the model and 20 random points).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(LinearityConfig))]
public class LinearityBench
{
    /// <summary>The network analysed.</summary>
    [Params("50-128-24-1", "784-256-256-10")]
    public string Network { get; set; } = "50-128-24-1";

    private StackedGlm<float> _model = null!;
    private float[,] _x = null!;
    private float[,] _y = null!;

    /// <summary>Builds the network and 1,000 rows (seeded).</summary>
    [GlobalSetup]
    public void Setup() => (_model, _x, _y) = Build(Network);

    internal static (StackedGlm<float> Model, float[,] X, float[,] Y) Build(string network)
    {
        int Rows = BenchMode.Dry ? 50 : 1000; // the dry run (CI) only checks that the benchmark runs
        var rng = new Random(7);
        StackedGlm<float> model;
        int inputs, outputs;
        if (network == "784-256-256-10")
        {
            inputs = 784;
            outputs = 10;
            model = StackedGlm.CreateMultinomial<float>(inputs, [new LayerSpec(256, new TanhLink()), new LayerSpec(256, new TanhLink())], outputs, seed: 1);
        }
        else
        {
            inputs = 50;
            outputs = 1;
            model = StackedGlm.Create<float>(inputs, [new LayerSpec(128, new TanhLink()), new LayerSpec(24, new TanhLink()), new LayerSpec(1, new LogitLink())], GlmFamily.Binomial, seed: 1);
        }

        var x = new float[Rows, inputs];
        var y = new float[Rows, outputs];
        for (int i = 0; i < Rows; i++)
        {
            for (int j = 0; j < inputs; j++) x[i, j] = (float)(rng.NextDouble() * 2 - 1);
            if (outputs == 1) y[i, 0] = rng.Next(2);
            else y[i, rng.Next(outputs)] = 1;
        }

        return (model, x, y);
    }

    /// <summary>The full report.</summary>
    [Benchmark]
    public LinearityReport Analyze() => LinearityAnalysis.Analyze(_model, _x, _y, BenchMode.Dry ? new LinearityOptions { AdditivityTrials = 2, ConcavityTrials = 1, SpectrumRows = 1 } : null);
}

/// <summary>Each analysis is seconds long: one launch, one warm-up, three measured runs (Monitoring); once in the dry run.</summary>
public sealed class LinearityConfig : ManualConfig
{
    /// <summary>The job.</summary>
    public LinearityConfig() => AddJob(BenchMode.Dry
        ? Job.Dry
        : Job.Default.WithStrategy(RunStrategy.Monitoring).WithLaunchCount(1).WithWarmupCount(1).WithIterationCount(3).WithId("Analysis"));
}
