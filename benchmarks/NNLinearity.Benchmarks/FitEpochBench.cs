using System;
using BenchmarkDotNet.Attributes;
using NNLinearity.Layers;
using NNLinearity.Links;

namespace NNLinearity.Benchmarks;

/// <summary>
/// What users run: the public <see cref="StackedGlm{T}.Fit(ReadOnlySpan{T}, ReadOnlySpan{T}, int, TrainingOptions?)"/>
/// on the 784-256-256-10 tanh/softmax network in float, SGD (learning rate 1e-3, no momentum, as torch.optim.SGD's
/// default), batches of 256 shuffled every epoch, 6 epochs of 12,800 rows. One invocation is one whole Fit from the same
/// starting parameters: its loss at the start and at the end (two forward passes over the rows) are included, so the
/// time per epoch is the invocation's time / 6. peers.py's "train-fit" runs the same loop in PyTorch.
/// </summary>
[Config(typeof(ShortConfig))]
[MemoryDiagnoser]
public class FitEpochBench
{
    public const int Rows = 12_800, Epochs = 6, Batch = 256;
    private StackedGlm<float>? _model;
    private float[] _x = [], _y = [], _start = [];

    [ParamsSource(nameof(ThreadCounts))]
    public int Threads { get; set; }

    /// <summary>One and two threads, in the default run too (the two-thread row is compared with PyTorch on two BLAS threads).</summary>
    public static int[] ThreadCounts => [1, 2];

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(2);
        _x = new float[Rows * 784];
        for (int i = 0; i < _x.Length; i++) _x[i] = (float)rng.NextDouble();
        _y = new float[Rows * 10];
        for (int i = 0; i < Rows; i++) _y[i * 10 + rng.Next(10)] = 1;
        _model = StackedGlm.CreateMultinomial<float>(784, [new LayerSpec(256, new TanhLink()), new LayerSpec(256, new TanhLink())], 10, seed: 1);
        _start = _model.GetParameters();
    }

    [Benchmark]
    public double Ours()
    {
        _model!.SetParameters(_start);
        TrainingResult r = _model.Fit(_x, _y, Rows, new TrainingOptions
        {
            Optimizer = Optimizer.Sgd,
            LearningRate = 1e-3,
            Momentum = 0,
            BatchSize = Batch,
            MaxEpochs = Epochs,
            Patience = Epochs + 1,
            Seed = 3,
            Threads = Threads,
        });
        if (r.Epochs != Epochs) throw new InvalidOperationException($"Fit stopped after {r.Epochs} epochs ({r.StopReason}); the benchmark needs {Epochs}.");
        return r.TrainingLoss;
    }
}
