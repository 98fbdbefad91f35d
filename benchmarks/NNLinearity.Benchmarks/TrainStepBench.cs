using System;
using BenchmarkDotNet.Attributes;
using NNLinearity.Kernels;
using NNLinearity.Layers;
using NNLinearity.Links;
using NNLinearity.Families;

namespace NNLinearity.Benchmarks;

public enum StepModel
{
    /// <summary>784 -> 256 tanh -> 256 tanh -> 10 softmax, batch 256.</summary>
    Mlp784,

    /// <summary>64 -> 64 tanh -> 1 logistic, batch 32.</summary>
    Logistic64,
}

/// <summary>
/// One SGD training step (forward, loss, backpropagation, parameter update, weight repacking) in float, ours against a
/// naive scalar implementation of the same network. Samples/s = batch / time. MemoryDiagnoser shows that the steady
/// state allocates nothing.
/// </summary>
[Config(typeof(ShortConfig))]
[MemoryDiagnoser]
public class TrainStepBench
{
    private StackedGlm<float>? _model;
    private StackedGlm<float>.Workspace? _ws;
    private NaiveMlp? _naive;
    private float[] _x = [], _y = [], _g = [];
    private double[] _momentum = [];

    [Params(StepModel.Mlp784, StepModel.Logistic64)]
    public StepModel Model { get; set; }

    [ParamsSource(nameof(ThreadCounts))]
    public int Threads { get; set; }

    public static int[] ThreadCounts => BenchMode.Quick ? [1] : [1, 0];

    public int Batch => Model == StepModel.Mlp784 ? 256 : 32;

    public int[] Widths => Model == StepModel.Mlp784 ? [784, 256, 256, 10] : [64, 64, 1];

    [GlobalSetup]
    public void Setup()
    {
        int[] w = Widths;
        var rng = new Random(2);
        _x = new float[Batch * w[0]];
        for (int i = 0; i < _x.Length; i++) _x[i] = (float)rng.NextDouble();
        int k = w[^1];
        _y = new float[Batch * k];
        for (int i = 0; i < Batch; i++)
        {
            if (k == 1) _y[i] = rng.Next(2);
            else _y[i * k + rng.Next(k)] = 1;
        }

        _model = Model == StepModel.Mlp784
            ? StackedGlm.CreateMultinomial<float>(784, [new LayerSpec(256, new TanhLink()), new LayerSpec(256, new TanhLink())], 10, seed: 1)
            : StackedGlm.Create<float>(64, [new LayerSpec(64, new TanhLink()), new LayerSpec(1, new LogitLink())], GlmFamily.Binomial, seed: 1);
        _g = new float[_model.ParameterCount];
        _momentum = new double[_model.ParameterCount];
        _ws = _model.NewWorkspace(Batch);
        // The batch sits where Fit gathers its batches: in the workspace, on a 64-byte boundary.
        _x.CopyTo(_ws.BatchInput.AsSpan());
        _naive = new NaiveMlp(w, Batch, _model.GetParameters());
    }

    [Benchmark]
    public double Ours()
    {
        double loss = _model!.LossAndGradientCore(_ws!.BatchInput, _y, Batch, _g, 0, Threads, withGradient: true, _ws);
        // The update Fit makes (SGD without momentum, with its check that the parameters stayed finite).
        UpdateKernels.Sgd<float>(_model.ParameterSpan, _g, _momentum, 1e-3, 0);
        _model.InvalidateLayers();
        return loss;
    }

    [Benchmark(Baseline = true)]
    public double Naive() => _naive!.Step(_x, _y, 1e-3f);
}

/// <summary>The same network and step written as plain scalar loops (tanh hidden layers; softmax or logistic output).</summary>
public sealed class NaiveMlp
{
    private readonly int[] _w;
    private readonly int _batch;
    private readonly float[] _theta;
    private readonly float[] _grad;
    private readonly float[][] _a, _delta;

    public NaiveMlp(int[] widths, int batch, float[] theta)
    {
        _w = widths;
        _batch = batch;
        _theta = (float[])theta.Clone();
        _grad = new float[theta.Length];
        _a = new float[widths.Length][];
        _delta = new float[widths.Length][];
        for (int l = 0; l < widths.Length; l++)
        {
            _a[l] = new float[batch * widths[l]];
            _delta[l] = new float[batch * widths[l]];
        }
    }

    public double Step(float[] x, float[] y, float lr)
    {
        int layers = _w.Length - 1, k = _w[^1];
        Array.Copy(x, _a[0], x.Length);
        int off = 0;
        var offsets = new int[layers];
        for (int l = 0; l < layers; l++)
        {
            offsets[l] = off;
            int nin = _w[l], nout = _w[l + 1];
            for (int i = 0; i < _batch; i++)
            {
                for (int o = 0; o < nout; o++)
                {
                    float s = _theta[off + nout * nin + o];
                    for (int p = 0; p < nin; p++) s += _a[l][i * nin + p] * _theta[off + o * nin + p];
                    _a[l + 1][i * nout + o] = l < layers - 1 ? MathF.Tanh(s) : s;
                }
            }

            off += nout * (nin + 1);
        }

        double loss = 0;
        float[] eta = _a[layers], g = _delta[layers];
        for (int i = 0; i < _batch; i++)
        {
            if (k == 1)
            {
                float mu = 1 / (1 + MathF.Exp(-eta[i]));
                g[i] = (mu - y[i]) / _batch;
                loss += -(y[i] * Math.Log(mu) + (1 - y[i]) * Math.Log(1 - mu));
            }
            else
            {
                float max = float.NegativeInfinity, sum = 0;
                for (int c = 0; c < k; c++) max = MathF.Max(max, eta[i * k + c]);
                for (int c = 0; c < k; c++) sum += MathF.Exp(eta[i * k + c] - max);
                for (int c = 0; c < k; c++)
                {
                    float p = MathF.Exp(eta[i * k + c] - max) / sum;
                    g[i * k + c] = (p - y[i * k + c]) / _batch;
                    if (y[i * k + c] > 0) loss -= Math.Log(p);
                }
            }
        }

        Array.Clear(_grad);
        for (int l = layers - 1; l >= 0; l--)
        {
            int nin = _w[l], nout = _w[l + 1], o0 = offsets[l];
            for (int i = 0; i < _batch; i++)
            {
                for (int o = 0; o < nout; o++)
                {
                    float d = _delta[l + 1][i * nout + o];
                    for (int p = 0; p < nin; p++) _grad[o0 + o * nin + p] += d * _a[l][i * nin + p];
                    _grad[o0 + nout * nin + o] += d;
                }
            }

            if (l == 0) break;
            for (int i = 0; i < _batch; i++)
            {
                for (int p = 0; p < nin; p++)
                {
                    float s = 0;
                    for (int o = 0; o < nout; o++) s += _delta[l + 1][i * nout + o] * _theta[o0 + o * nin + p];
                    float a = _a[l][i * nin + p];
                    _delta[l][i * nin + p] = s * (1 - a * a);
                }
            }
        }

        for (int i = 0; i < _theta.Length; i++) _theta[i] -= lr * _grad[i];
        return loss / _batch;
    }
}
