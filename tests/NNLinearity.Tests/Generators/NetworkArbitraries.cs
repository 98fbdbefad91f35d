using System;
using System.Collections.Generic;
using System.Linq;
using FsCheck;
using FsCheck.Fluent;
using MathNet.Numerics.Distributions;
using NNLinearity.Families;
using NNLinearity.Layers;
using NNLinearity.Links;

namespace NNLinearity.Tests.Generators;

/// <summary>A GEMM shape (m x k times k x n) and a data seed.</summary>
public sealed record GemmShape(int M, int N, int K, int Seed);

/// <summary>An output: a family with a link it accepts, or the multinomial (softmax) output with 3 classes.</summary>
public sealed record OutputSpec(GlmFamily? Family, ILinkFunction Link, int Units)
{
    public override string ToString() => Family is null ? "multinomial(3)" : $"{Family.Name}/{Link.Name} x{Units}";
}

/// <summary>A stack (depth, widths, hidden links, output), data simulated from a seed, and parameters perturbed from a seed.</summary>
public sealed record NetworkCase(int Inputs, LayerSpec[] Hidden, OutputSpec Output, int Rows, int Seed)
{
    public double[] X { get; } = new double[Rows * Inputs];

    public double[] Y { get; } = new double[Rows * Output.Units];

    public override string ToString() =>
        $"{Inputs} -> {string.Join(" -> ", Hidden.Select(h => $"{h.Units} {h.Link.Name}"))}{(Hidden.Length > 0 ? " -> " : "")}{Output}; {Rows} rows; seed {Seed}";

    public IReadOnlyList<LayerSpec> Layers => Output.Family is null ? Hidden : Hidden.Append(new LayerSpec(Output.Units, Output.Link)).ToArray();

    /// <summary>The model with Glorot/He weights and small random biases (so that no unit starts at the symmetric point).</summary>
    public StackedGlm<T> Model<T>() where T : unmanaged, System.Numerics.IBinaryFloatingPointIeee754<T>
    {
        StackedGlm<T> model = Output.Family is null
            ? StackedGlm.CreateMultinomial<T>(Inputs, Hidden, Output.Units, Seed)
            : StackedGlm.Create<T>(Inputs, Layers, Output.Family, Seed);
        var rng = new Random(Seed + 1);
        foreach (GlmLayer<T> layer in model.Layers)
        {
            layer.SetBias(Enumerable.Range(0, layer.OutputCount).Select(_ => T.CreateTruncating(0.2 * (rng.NextDouble() - 0.5))).ToArray());
        }

        return model;
    }

    public NetworkCase Simulate()
    {
        var rng = new Random(Seed);
        for (int i = 0; i < X.Length; i++) X[i] = Normal.Sample(rng, 0, 1);
        int k = Output.Units;
        for (int i = 0; i < Rows; i++)
        {
            if (Output.Family is null)
            {
                Y[i * k + rng.Next(k)] = 1;
                continue;
            }

            for (int j = 0; j < k; j++)
            {
                Y[i * k + j] = Output.Family switch
                {
                    BinomialFamily => rng.Next(2),
                    PoissonFamily or NegativeBinomialFamily => Poisson.Sample(rng, 2.0),
                    TweedieFamily => rng.Next(4) == 0 ? 0 : MathNet.Numerics.Distributions.Gamma.Sample(rng, 2, 1),
                    GammaFamily or InverseGaussianFamily => MathNet.Numerics.Distributions.Gamma.Sample(rng, 3, 3),
                    _ => Normal.Sample(rng, 0.5, 1),
                };
            }
        }

        return this;
    }
}

public static class NetworkArbitraries
{
    // Shapes around every tile edge: 0, 1, MR +- 1 (6 and 8), NR +- 1 for float and double on every tile (2 or 4 vectors
    // of 128, 256 or 512 bits; 3 vectors of floats on the 4-vector tile: 12 and 24), a KC boundary.
    private static readonly int[] GemmSizes = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 15, 16, 17, 23, 24, 25, 31, 32, 33, 63, 255, 257];

    public static readonly ILinkFunction[] HiddenLinks =
    [
        new IdentityLink(), new LogitLink(), new ProbitLink(), new CauchitLink(), new CloglogLink(),
        new TanhLink(), new SoftplusLink(), new ReluLink(), new LeakyReluLink(0.1),
    ];

    public static readonly OutputSpec[] Outputs =
    [
        new(GlmFamily.Gaussian, new IdentityLink(), 1),
        new(GlmFamily.Gaussian, new IdentityLink(), 2),
        new(GlmFamily.Binomial, new LogitLink(), 1),
        new(GlmFamily.Binomial, new ProbitLink(), 1),
        new(GlmFamily.Binomial, new CloglogLink(), 1),
        new(GlmFamily.Poisson, new LogLink(), 1),
        new(GlmFamily.Gamma, new LogLink(), 1),
        new(GlmFamily.InverseGaussian, new LogLink(), 1),
        new(GlmFamily.Tweedie(1.5), new LogLink(), 1),
        new(GlmFamily.NegativeBinomial(2), new LogLink(), 1),
        new(null, new IdentityLink(), 3),
    ];

    public static Arbitrary<GemmShape> GemmShape() =>
        (from m in Gen.Elements(GemmSizes)
         from n in Gen.Elements(GemmSizes)
         from k in Gen.Elements(GemmSizes)
         from seed in Gen.Choose(0, 1_000_000)
         select new GemmShape(m, n, k, seed)).ToArbitrary();

    public static Gen<NetworkCase> Networks(int minHidden, int maxHidden, ILinkFunction[] hiddenLinks) =>
        from depth in Gen.Choose(minHidden, maxHidden)
        from widths in Gen.ArrayOf(Gen.Choose(1, 16), depth)
        from links in Gen.ArrayOf(Gen.Elements(hiddenLinks), depth)
        from inputs in Gen.Choose(1, 6)
        from output in Gen.Elements(Outputs)
        from rows in Gen.Choose(1, 20)
        from seed in Gen.Choose(0, 1_000_000)
        select new NetworkCase(inputs, widths.Zip(links, (w, l) => new LayerSpec(w, l)).ToArray(), output, rows, seed).Simulate();

    private static readonly ILinkFunction[] NonAffineHidden = HiddenLinks.Where(l => !l.IsAffine).ToArray();

    /// <summary>Cases for the depth laws: 1 to 3 hidden layers, each with a non-affine link and at least 2 units.</summary>
    public static Arbitrary<DeepCase> DeepCase() =>
        (from depth in Gen.Choose(1, 3)
         from widths in Gen.ArrayOf(Gen.Choose(2, 8), depth)
         from links in Gen.ArrayOf(Gen.Elements(NonAffineHidden), depth)
         from inputs in Gen.Choose(1, 4)
         from output in Gen.Elements(Outputs)
         from rows in Gen.Choose(3, 12)
         from seed in Gen.Choose(0, 1_000_000)
         select new DeepCase(new NetworkCase(inputs, widths.Zip(links, (w, l) => new LayerSpec(w, l)).ToArray(), output, rows, seed).Simulate())).ToArbitrary();

    /// <summary>Cases for the one-layer laws: no hidden layer.</summary>
    public static Arbitrary<OneLayerCase> OneLayerCase() =>
        Networks(0, 0, HiddenLinks).Select(c => new OneLayerCase(c)).ToArbitrary();

    /// <summary>Cases for the collapse law: 1 to 3 identity hidden layers.</summary>
    public static Arbitrary<AffineCase> AffineCase() =>
        Networks(1, 3, [new IdentityLink()]).Select(c => new AffineCase(c)).ToArbitrary();

    /// <summary>Cases for the piecewise-linear law: one ReLU or leaky-ReLU hidden layer.</summary>
    public static Arbitrary<PiecewiseCase> PiecewiseCase() =>
        Networks(1, 1, [new ReluLink(), new LeakyReluLink(0.1)]).Select(c => new PiecewiseCase(c)).ToArbitrary();

    /// <summary>Cases for the region laws: 1 to 3 hidden layers, each ReLU, leaky ReLU or identity.</summary>
    public static Arbitrary<DeepPiecewiseCase> DeepPiecewiseCase() =>
        Networks(1, 3, [new ReluLink(), new LeakyReluLink(0.1), new IdentityLink()]).Select(c => new DeepPiecewiseCase(c)).ToArbitrary();

    /// <summary>Depth 1 to 4 (0 to 3 hidden layers), widths 1 to 16, every hidden link and output.</summary>
    public static Arbitrary<NetworkCase> NetworkCase() => Networks(0, 3, HiddenLinks).ToArbitrary();
}

public sealed record DeepCase(NetworkCase Case)
{
    public override string ToString() => Case.ToString();
}

public sealed record OneLayerCase(NetworkCase Case)
{
    public override string ToString() => Case.ToString();
}

public sealed record AffineCase(NetworkCase Case)
{
    public override string ToString() => Case.ToString();
}

public sealed record PiecewiseCase(NetworkCase Case)
{
    public override string ToString() => Case.ToString();
}

public sealed record DeepPiecewiseCase(NetworkCase Case)
{
    public override string ToString() => Case.ToString();
}
