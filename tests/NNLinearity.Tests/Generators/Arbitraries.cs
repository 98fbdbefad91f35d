using System;
using System.Linq;
using FsCheck;
using FsCheck.Fluent;
using MathNet.Numerics.Distributions;
using NNLinearity.Families;
using NNLinearity.Links;

namespace NNLinearity.Tests.Generators;

/// <summary>A link with the range of eta over which it is tested (inside its domain).</summary>
public sealed record LinkDomain(ILinkFunction Link, double EtaMin, double EtaMax)
{
    public override string ToString() => $"{Link.Name} on [{EtaMin}, {EtaMax}]";
}

/// <summary>A link and a point eta in its tested range.</summary>
public sealed record LinkPoint(LinkDomain Domain, double Eta)
{
    public ILinkFunction Link => Domain.Link;

    public override string ToString() => $"{Link.Name} at eta = {Eta:R}";
}

/// <summary>A family, a link it accepts, and a data set simulated from a seed with a true coefficient vector.</summary>
public sealed record GlmCase(GlmFamily Family, ILinkFunction Link, int Rows, int Columns, int Seed)
{
    public double[] X { get; } = new double[Rows * Columns];

    public double[] Y { get; } = new double[Rows];

    public override string ToString() => $"{Family.Name}/{Link.Name}, {Rows} x {Columns}, seed {Seed}";

    /// <summary>Fills X ~ N(0, 1) and simulates y from the family at a moderate mean.</summary>
    public GlmCase Simulate()
    {
        var rng = new Random(Seed);
        for (int i = 0; i < X.Length; i++) X[i] = Normal.Sample(rng, 0, 1);
        double[] beta = Enumerable.Range(0, Columns).Select(j => 0.3 * Math.Cos(j + Seed)).ToArray();
        for (int i = 0; i < Rows; i++)
        {
            double lin = 0;
            for (int j = 0; j < Columns; j++) lin += X[i * Columns + j] * beta[j];
            Y[i] = Draw(rng, lin);
        }

        return this;
    }

    // The linear predictor is built on a scale where every accepted link gives a valid mean.
    private double Draw(Random rng, double lin) => Family switch
    {
        BinomialFamily => Bernoulli.Sample(rng, 1 / (1 + Math.Exp(-lin))),
        PoissonFamily => Poisson.Sample(rng, 3 * Math.Exp(0.5 * lin)),
        GammaFamily => MathNet.Numerics.Distributions.Gamma.Sample(rng, 4, 4 / (2 * Math.Exp(0.3 * lin))),
        InverseGaussianFamily => MathNet.Numerics.Distributions.Gamma.Sample(rng, 10, 10 / (1.5 * Math.Exp(0.2 * lin))),
        _ => 2 + lin + Normal.Sample(rng, 0, 0.5),
    };
}

/// <summary>Every FsCheck generator of the test suite.</summary>
public static class Arbitraries
{
    /// <summary>Each link with an eta range inside its domain where dmu/deta is representable (no total underflow).</summary>
    public static readonly LinkDomain[] LinkDomains =
    [
        new(new IdentityLink(), -1e6, 1e6),
        new(new LogLink(), -700, 700),
        new(new LogitLink(), -700, 700),
        new(new ProbitLink(), -37, 37),
        new(new CloglogLink(), -700, 6.5),
        new(new LogLogLink(), -6.5, 700),
        new(new CauchitLink(), -1e6, 1e6),
        new(new InverseLink(), 1e-3, 1e6),
        new(new InverseLink(), -1e6, -1e-3),
        new(new InverseSquaredLink(), 1e-3, 1e6),
        new(new SqrtLink(), 1e-3, 1e6),
        new(new PowerLink(1.0 / 3), 1e-3, 1e3),
        new(new PowerLink(-0.5), 1e-3, 1e3),
        new(new PowerLink(2.5), 1e-3, 1e3),
        new(new PowerLink(0), -700, 700),
        new(new TanhLink(), -18, 18),
        new(new SoftplusLink(), -700, 700),
        // The rectifiers are tested on each side of their kink (one-sided: no finite difference straddles 0).
        new(new LeakyReluLink(0.1), 1e-3, 1e6),
        new(new LeakyReluLink(0.1), -1e6, -1e-3),
        new(new ReluLink(), 1e-3, 1e6),
    ];

    /// <summary>A value spread over orders of magnitude within [lo, hi]: uniform, or log-uniform towards each end.</summary>
    public static Gen<double> Within(double lo, double hi)
    {
        Gen<double> unit = Gen.Choose(0, int.MaxValue).Select(k => k / (double)int.MaxValue);
        Gen<double> uniform = unit.Select(u => lo + u * (hi - lo));
        Gen<double> nearZero = unit.Select(u => Math.Clamp(Math.Pow(10, -12 + 12 * u) * (lo < 0 && hi > 0 && u > 0.5 ? -1 : 1), lo, hi));
        Gen<double> ends = Gen.Elements(lo, hi, 0.5 * (lo + hi));
        return Gen.Frequency((6, uniform), (3, nearZero), (1, ends));
    }

    public static Arbitrary<LinkPoint> LinkPoint() =>
        Gen.Elements(LinkDomains).SelectMany(d => Within(d.EtaMin, d.EtaMax).Select(eta => new LinkPoint(d, eta))).ToArbitrary();

    public static Arbitrary<GlmCase> GlmCase()
    {
        (GlmFamily, ILinkFunction)[] pairs =
        [
            (GlmFamily.Gaussian, new IdentityLink()),
            (GlmFamily.Binomial, new LogitLink()),
            (GlmFamily.Binomial, new ProbitLink()),
            (GlmFamily.Binomial, new CloglogLink()),
            (GlmFamily.Poisson, new LogLink()),
            (GlmFamily.Poisson, new SqrtLink()),
            (GlmFamily.Gamma, new LogLink()),
            (GlmFamily.InverseGaussian, new LogLink()),
            (GlmFamily.QuasiPoisson, new LogLink()),
        ];
        return (from pair in Gen.Elements(pairs)
                from cols in Gen.Choose(1, 4)
                from rows in Gen.Choose(40, 200)
                from seed in Gen.Choose(0, 1_000_000)
                select new GlmCase(pair.Item1, pair.Item2, rows, cols, seed).Simulate()).ToArbitrary();
    }
}

/// <summary>
/// [Property] with this suite's generators and a fixed number of tests (NNLINEARITY_LAW_TESTS, default 200). Each run
/// draws new cases unless NNLINEARITY_LAW_REPLAY holds an FsCheck seed such as "(1,2)": then every law replays the
/// same cases, as CI does so that its verdict is reproducible.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class LawAttribute : FsCheck.Xunit.PropertyAttribute
{
    public LawAttribute()
    {
        Arbitrary = [typeof(Arbitraries), typeof(NetworkArbitraries), typeof(BadInputArbitraries), typeof(TableArbitraries)];
        MaxTest = int.TryParse(Environment.GetEnvironmentVariable("NNLINEARITY_LAW_TESTS"), out int n) ? n : 200;
        QuietOnSuccess = true;
        string? replay = Environment.GetEnvironmentVariable("NNLINEARITY_LAW_REPLAY");
        if (!string.IsNullOrWhiteSpace(replay)) Replay = replay;
    }
}
