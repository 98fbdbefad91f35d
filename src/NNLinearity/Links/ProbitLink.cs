using System;
using System.Runtime.CompilerServices;
using NNLinearity.Kernels;
using NNLinearity.Numerics;

namespace NNLinearity.Links;

/// <summary>The probit link: eta = Phi^-1(mu), mu = Phi(eta) with Phi the standard normal CDF, computed by Cody's rational approximations (as R's pnorm), so the lower tail keeps relative accuracy (1e-14, tested against R) down to its underflow. The span members run on vector kernels (float via double, within 4 float ulps).</summary>
/// <remarks>Thread safety: an immutable value; safe to share across threads.</remarks>
public readonly struct ProbitLink : ILinkFunction
{
    /// <inheritdoc />
    public string Name => "probit";

    /// <inheritdoc />
    public double Link(double mu) => Special.NormalQuantile(mu);

    /// <inheritdoc />
    public double Inverse(double eta) => Special.NormalCdf(eta);

    /// <inheritdoc />
    public double InverseDerivative(double eta) => Special.NormalPdf(eta);

    /// <inheritdoc />
    public double InverseSecondDerivative(double eta)
    {
        double pdf = Special.NormalPdf(eta);
        return pdf == 0 ? 0.0 : -eta * pdf; // avoids Inf * 0 in the far tails
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
    public void Inverse(ReadOnlySpan<double> eta, Span<double> mu)
    {
        LinkBatch.CheckLengths(eta.Length, mu.Length, nameof(mu));
        VectorMath.Apply<VectorMath.NormalCdfOp>(eta, mu);
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void InverseDerivative(ReadOnlySpan<double> eta, Span<double> dMuDEta)
    {
        LinkBatch.CheckLengths(eta.Length, dMuDEta.Length, nameof(dMuDEta));
        VectorMath.Apply<VectorMath.NormalPdfOp>(eta, dMuDEta);
    }

    /// <inheritdoc />
    public double Inverse(double eta, out double dMuDEta)
    {
        dMuDEta = InverseDerivative(eta);
        return Inverse(eta);
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Inverse(ReadOnlySpan<double> eta, Span<double> mu, Span<double> dMuDEta)
    {
        LinkBatch.CheckLengths(eta.Length, mu.Length, nameof(mu));
        LinkBatch.CheckLengths(eta.Length, dMuDEta.Length, nameof(dMuDEta));
        VectorMath.Apply<VectorMath.NormalPdfOp>(eta, dMuDEta); // first: mu may be eta's memory
        VectorMath.Apply<VectorMath.NormalCdfOp>(eta, mu);
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Link(ReadOnlySpan<float> mu, Span<float> eta) => LinkBatch.Link(this, mu, eta);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Inverse(ReadOnlySpan<float> eta, Span<float> mu)
    {
        LinkBatch.CheckLengths(eta.Length, mu.Length, nameof(mu));
        VectorMath.Apply<VectorMath.NormalCdfOp>(eta, mu);
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void InverseDerivative(ReadOnlySpan<float> eta, Span<float> dMuDEta)
    {
        LinkBatch.CheckLengths(eta.Length, dMuDEta.Length, nameof(dMuDEta));
        VectorMath.Apply<VectorMath.NormalPdfOp>(eta, dMuDEta);
    }

    /// <inheritdoc />
    public override string ToString() => Name;
}
