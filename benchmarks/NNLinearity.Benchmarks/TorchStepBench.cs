#if WITH_TORCH
using System;
using BenchmarkDotNet.Attributes;
using TorchSharp;
using static TorchSharp.torch;

namespace NNLinearity.Benchmarks;

/// <summary>
/// The same SGD steps as <see cref="TrainStepBench"/> in libtorch through TorchSharp (float32): forward, loss,
/// backward and the optimiser step. Built only with -p:WithTorch=true.
/// </summary>
[Config(typeof(ShortConfig))]
[MemoryDiagnoser]
public class TorchStepBench
{
    private nn.Module<Tensor, Tensor>? _model;
    private optim.Optimizer? _sgd;
    private Tensor? _x, _y;

    [Params(StepModel.Mlp784, StepModel.Logistic64)]
    public StepModel Model { get; set; }

    [Params(1, 0)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        torch.set_num_threads(Threads == 1 ? 1 : Environment.ProcessorCount);
        torch.manual_seed(1);
        if (Model == StepModel.Mlp784)
        {
            _model = nn.Sequential(nn.Linear(784, 256), nn.Tanh(), nn.Linear(256, 256), nn.Tanh(), nn.Linear(256, 10));
            _x = torch.rand(256, 784);
            _y = torch.randint(0, 10, new long[] { 256 });
        }
        else
        {
            _model = nn.Sequential(nn.Linear(64, 64), nn.Tanh(), nn.Linear(64, 1));
            _x = torch.rand(32, 64);
            _y = torch.randint(0, 2, new long[] { 32, 1 }).to(ScalarType.Float32);
        }

        _sgd = optim.SGD(_model.parameters(), 1e-3);
    }

    [Benchmark]
    public float Step()
    {
        using var scope = torch.NewDisposeScope();
        _sgd!.zero_grad();
        Tensor eta = _model!.forward(_x!);
        Tensor loss = Model == StepModel.Mlp784
            ? nn.functional.cross_entropy(eta, _y!)
            : nn.functional.binary_cross_entropy_with_logits(eta, _y!);
        loss.backward();
        _sgd.step();
        return loss.item<float>();
    }
}
#endif
