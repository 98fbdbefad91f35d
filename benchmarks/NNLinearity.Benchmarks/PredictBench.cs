using System;
using BenchmarkDotNet.Attributes;
using NNLinearity.Layers;
using NNLinearity.Links;

namespace NNLinearity.Benchmarks;

/// <summary>
/// Predictions over many rows, what scoring a data set runs: the public <see cref="StackedGlm{T}.Predict(ReadOnlySpan{T}, int)"/>
/// of the 784-256-256-10 tanh/softmax network in float on 50,000 rows (eta and the class probabilities), on all cores
/// (Predict's setting). peers.py's "predict" runs the same network on as many rows in PyTorch (no_grad, softmax).
/// </summary>
[Config(typeof(ShortConfig))]
[MemoryDiagnoser]
public class PredictBench
{
    public const int Rows = 50_000;
    private StackedGlm<float>? _model;
    private float[] _x = [];

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(4);
        _x = new float[Rows * 784];
        for (int i = 0; i < _x.Length; i++) _x[i] = (float)rng.NextDouble();
        _model = StackedGlm.CreateMultinomial<float>(784, [new LayerSpec(256, new TanhLink()), new LayerSpec(256, new TanhLink())], 10, seed: 1);
    }

    [Benchmark]
    public float Ours() => _model!.Predict(_x, Rows).Mu[0];
}
