using System;
using BenchmarkDotNet.Attributes;
using NNLinearity.Links;

namespace NNLinearity.Benchmarks;

/// <summary>
/// A hidden layer's inverse link over one batch of a 256-unit layer (256 x 256 = 65,536 floats, half of them
/// negative, in random order): the means and slopes in one call (what a float layer's forward pass calls), against
/// the links' generic per-element driver (each value through the scalar member in double, as every link without a
/// kernel of its own runs, and as ReLU and leaky ReLU ran before they got theirs).
/// </summary>
[Config(typeof(ShortConfig))]
public class HiddenActivationBench
{
    public const int N = 256 * 256;
    private float[] _eta = [], _mu = [], _slope = [];

    [Params("relu", "leaky_relu", "tanh")]
    public string Link { get; set; } = "relu";

    private ILinkFunction _link = new ReluLink();

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(4);
        _eta = new float[N];
        _mu = new float[N];
        _slope = new float[N];
        for (int i = 0; i < N; i++) _eta[i] = (float)((rng.NextDouble() - 0.5) * 4);
        _link = Link switch
        {
            "relu" => new ReluLink(),
            "leaky_relu" => new LeakyReluLink(),
            _ => new TanhLink(),
        };
    }

    [Benchmark]
    public void MeansAndSlopes()
    {
        switch (_link)
        {
            case ReluLink r: r.Inverse(_eta, _mu, _slope); break;
            case LeakyReluLink l: l.Inverse(_eta, _mu, _slope); break;
            case TanhLink t: t.Inverse(_eta, _mu, _slope); break;
        }
    }

    [Benchmark(Baseline = true)]
    public void PerElementDriver()
    {
        switch (_link)
        {
            case ReluLink r:
                LinkBatch.InverseDerivative(r, _eta, _slope);
                LinkBatch.Inverse(r, _eta, _mu);
                break;
            case LeakyReluLink l:
                LinkBatch.InverseDerivative(l, _eta, _slope);
                LinkBatch.Inverse(l, _eta, _mu);
                break;
            case TanhLink t:
                LinkBatch.InverseDerivative(t, _eta, _slope);
                LinkBatch.Inverse(t, _eta, _mu);
                break;
        }
    }
}
