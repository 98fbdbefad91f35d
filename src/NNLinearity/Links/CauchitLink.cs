using System;
using System.Runtime.CompilerServices;
using NNLinearity.Numerics;

namespace NNLinearity.Links;

/// <summary>The cauchit link: eta = tan(pi (mu - 1/2)), mu = 1/2 + atan(eta)/pi (the Cauchy CDF).</summary>
/// <remarks>Thread safety: an immutable value; safe to share across threads.</remarks>
public readonly struct CauchitLink : ILinkFunction
{
    /// <inheritdoc />
    public string Name => "cauchit";

    /// <inheritdoc />
    public double Link(double mu)
    {
        // tan(pi (mu - 1/2)) without the cancellation of mu - 1/2 in the tails: -cot(pi mu) below 1/2.
        if (mu == 0.5) return 0.0;
        return mu < 0.5 ? -1.0 / Math.Tan(Math.PI * mu) : 1.0 / Math.Tan(Math.PI * (1.0 - mu));
    }

    /// <inheritdoc />
    public double Inverse(double eta)
    {
        // 1/2 + atan(eta)/pi; for eta < 0 it equals atan(-1/eta)/pi, which keeps relative accuracy in the lower tail.
        if (eta < -1.0) return Math.Atan(-1.0 / eta) / Math.PI;
        return 0.5 + Math.Atan(eta) / Math.PI;
    }

    /// <inheritdoc />
    public double InverseDerivative(double eta)
    {
        double a = Math.Abs(eta);
        if (a > 1e150) return 1.0 / (Math.PI * a) / a; // 1 + eta^2 would overflow
        return 1.0 / (Math.PI * (1.0 + eta * eta));
    }

    /// <inheritdoc />
    public double InverseSecondDerivative(double eta)
    {
        double a = Math.Abs(eta);
        if (a > 1e100) return -2.0 / (Math.PI * eta) / a / a;
        double q = 1.0 + eta * eta;
        return -2.0 * eta / (Math.PI * q * q);
    }

    /// <inheritdoc />
    public bool IsAffine => false;

    /// <inheritdoc />
    public double MeanLowerBound => 0.0;

    /// <inheritdoc />
    public double MeanUpperBound => 1.0;

    /// <inheritdoc />
    public bool IsValidMean(double mu) => mu > 0 && mu < 1;

    /// <inheritdoc />
    public bool IsValidLinearPredictor(double eta) => !double.IsNaN(eta);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Link(ReadOnlySpan<double> mu, Span<double> eta) => LinkBatch.Link(this, mu, eta);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Inverse(ReadOnlySpan<double> eta, Span<double> mu) => LinkBatch.Inverse(this, eta, mu);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void InverseDerivative(ReadOnlySpan<double> eta, Span<double> dMuDEta) => LinkBatch.InverseDerivative(this, eta, dMuDEta);

    /// <inheritdoc />
    public double Inverse(double eta, out double dMuDEta)
    {
        dMuDEta = InverseDerivative(eta);
        return Inverse(eta);
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Inverse(ReadOnlySpan<double> eta, Span<double> mu, Span<double> dMuDEta) => LinkBatch.InverseWithDerivative(this, eta, mu, dMuDEta);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Link(ReadOnlySpan<float> mu, Span<float> eta) => LinkBatch.Link(this, mu, eta);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Inverse(ReadOnlySpan<float> eta, Span<float> mu) => LinkBatch.Inverse(this, eta, mu);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void InverseDerivative(ReadOnlySpan<float> eta, Span<float> dMuDEta) => LinkBatch.InverseDerivative(this, eta, dMuDEta);

    /// <inheritdoc />
    public override string ToString() => Name;
}
